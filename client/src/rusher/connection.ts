// One logical connection to a Rusher server: a new RxJS `webSocket` subject for each
// socket, reconnecting with backoff, and a Session for every socket the server welcomed.
import {
  BehaviorSubject,
  Observable,
  SchedulerLike,
  Subject,
  Subscription,
  asyncScheduler,
  concat,
  defer,
  filter,
  first,
  ignoreElements,
  interval,
  merge,
  retry,
  startWith,
  switchMap,
  tap,
  throwError,
  timer,
} from 'rxjs';
import { WebSocketSubject, WebSocketSubjectConfig, webSocket } from 'rxjs/webSocket';
import { Backoff, DEFAULT_BACKOFF, backoffDelay } from './backoff';
import { ConnectionLost, RusherError } from './errors';
import { FrameOf, Outgoing, REPLIES, Ref, ReplyTo, Request, ServerFrame } from './frames';

export type ConnectionState =
  | { readonly status: 'connecting'; readonly attempt: number }
  | { readonly status: 'open'; readonly session: string; readonly user: string }
  /** Waiting to retry; `retryAt` is on the scheduler's clock (`scheduler.now()`). */
  | { readonly status: 'waiting'; readonly attempt: number; readonly retryAt: number }
  | { readonly status: 'closed' };

/** One welcomed socket. Its `frames$` completes when the socket goes away. */
export interface Session {
  readonly id: string;
  readonly user: string;
  /** Every frame after `welcome`, in the order the server sent them. */
  readonly frames$: Observable<ServerFrame>;
  /** Sends a frame that expects no reply. */
  readonly send: (frame: Outgoing) => void;
  /**
   * Sends `frame` with a fresh `ref`; emits the reply with that ref and completes, or
   * errors with RusherError (an `error` frame) or ConnectionLost (the socket went first).
   */
  readonly request: <F extends Request>(frame: F) => Observable<ReplyTo<F>>;
}

export interface ConnectionOptions {
  /** `ws://host/ws?user=NAME` (or `?token=JWT`). */
  readonly url: string;
  /** RxJS `webSocket`, or anything with its signature. */
  readonly webSocket?: <T>(config: WebSocketSubjectConfig<T>) => WebSocketSubject<T>;
  /** Passed to `webSocket`: tests give a fake; outside browsers, a WebSocket class such as `ws`'s. */
  readonly WebSocketCtor?: WebSocketSubjectConfig<unknown>['WebSocketCtor'];
  readonly scheduler?: SchedulerLike;
  readonly backoff?: Backoff;
  /** In [0, 1); spreads retries (Backoff.jitter). */
  readonly random?: () => number;
}

export interface Connection {
  readonly state$: Observable<ConnectionState>;
  /** The open session, if any, then every later one. */
  readonly session$: Observable<Session>;
  /** The open session, or null. */
  readonly current: () => Session | null;
  /** Closes the socket for good. */
  readonly close: () => void;
}

/** The socket closed cleanly (a server restart says 1001); for us it is a drop like any other. */
class SocketClosed extends Error {}
/** Nothing came from the server for two heartbeats: the network is gone without a close. */
class SocketSilent extends Error {}

const isReply = (frame: ServerFrame, ref: Ref, types: readonly string[]) =>
  'ref' in frame && frame.ref === ref && (frame.type === 'error' || types.includes(frame.type));

export const connect = (options: ConnectionOptions): Connection => {
  const scheduler = options.scheduler ?? asyncScheduler;
  const factory = options.webSocket ?? webSocket;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const random = options.random ?? Math.random;

  const state = new BehaviorSubject<ConnectionState>({ status: 'connecting', attempt: 1 });
  const current = new BehaviorSubject<Session | null>(null);
  let failures = 0;
  let nextRef = 0;

  const openSession = (ws: WebSocketSubject<ServerFrame | Outgoing>, welcome: FrameOf<'welcome'>, frames$: Observable<ServerFrame>): Session => {
    // A session outlives its socket in its users' hands; what it sends after that is dropped.
    const send = (frame: Outgoing) => {
      if (current.value === session) ws.next(frame);
    };
    const request = <F extends Request>(frame: F): Observable<ReplyTo<F>> =>
      new Observable<ReplyTo<F>>((subscriber) => {
        const ref = ++nextRef;
        const types: readonly string[] = REPLIES[frame.type];
        const sub = frames$.pipe(first((f) => isReply(f, ref, types))).subscribe({
          next: (f) => {
            if (f.type === 'error') subscriber.error(new RusherError(f.code, f.message, f.path));
            else {
              subscriber.next(f as ReplyTo<F>);
              subscriber.complete();
            }
          },
          error: () => subscriber.error(new ConnectionLost()),
        });
        send({ ...frame, ref });
        return sub;
      });
    const session: Session = { id: welcome.session, user: welcome.user, frames$, send, request };
    return session;
  };

  // One socket's life: connecting, welcomed, gone. It always ends in an error, so that
  // `retry` below handles a clean close (a server restart sends 1001) and a failure alike.
  const socket$ = defer(() => {
    state.next({ status: 'connecting', attempt: failures + 1 });
    const ws = factory<ServerFrame | Outgoing>({ url: options.url, WebSocketCtor: options.WebSocketCtor });
    const frames = new Subject<ServerFrame>();
    const welcomed = new Subject<FrameOf<'welcome'>>();
    let session: Session | null = null;
    const end = () => {
      if (session === null) return;
      if (current.value === session) current.next(null);
      session = null;
      frames.complete();
    };
    const inbound$ = (ws as Observable<ServerFrame>).pipe(
      tap((frame) => {
        if (session !== null) frames.next(frame);
        else if (frame.type === 'welcome') {
          failures = 0;
          session = openSession(ws, frame, frames.asObservable());
          state.next({ status: 'open', session: session.id, user: session.user });
          current.next(session);
          welcomed.next(frame);
        }
      }),
    );
    // While welcomed: a `ping` every heartbeat, and a drop after two heartbeats of silence
    // (a network that vanished without a close would otherwise look open for minutes).
    const heartbeat$ = welcomed.pipe(
      switchMap(({ heartbeat }) => {
        const ms = heartbeat * 1000;
        const pings$ = interval(ms, scheduler).pipe(tap(() => session?.send({ type: 'ping' })));
        const watchdog$ = frames.pipe(
          startWith(null),
          switchMap(() => timer(2 * ms, scheduler)),
          tap(() => {
            throw new SocketSilent();
          }),
        );
        return merge(pings$, watchdog$);
      }),
    );
    return merge(heartbeat$, concat(inbound$, throwError(() => new SocketClosed()))).pipe(
      ignoreElements(),
      tap({ error: end, finalize: end }),
    );
  });

  const subscription: Subscription = socket$
    .pipe(
      retry({
        delay: () => {
          failures += 1;
          const ms = backoffDelay(failures, backoff, random);
          state.next({ status: 'waiting', attempt: failures, retryAt: scheduler.now() + ms });
          return timer(ms, scheduler);
        },
      }),
    )
    .subscribe();

  return {
    state$: state.asObservable(),
    session$: current.pipe(filter((s): s is Session => s !== null)),
    current: () => current.value,
    close: () => {
      subscription.unsubscribe();
      state.next({ status: 'closed' });
      state.complete();
      current.complete();
    },
  };
};
