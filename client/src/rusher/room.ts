// A chat room as one client sees it: joined on every socket (resuming with `since`),
// messages in seq order, members, who is typing, and the messages it has not yet seen
// committed, which it sends again after a reconnect under the same idempotency id.
import {
  BehaviorSubject,
  EMPTY,
  Observable,
  SchedulerLike,
  Subscription,
  catchError,
  finalize,
  firstValueFrom,
  ignoreElements,
  merge,
  switchMap,
  take,
  tap,
} from 'rxjs';
import { Connection, Session } from './connection';
import { isConnectionLost } from './errors';
import { Message, ServerFrame } from './frames';
import { lastSeq, mergeMessages } from './messages';

/** A message this client sent that is not committed yet (as far as it knows). */
export interface Outbound {
  readonly id: string;
  readonly text: string;
  /** The server refused it (its `error` message); it is not sent again unless retried. */
  readonly error?: string;
}

export interface RoomState {
  readonly room: string;
  /** `joining` until `room.joined` on the current socket, and again while offline. */
  readonly status: 'joining' | 'joined' | 'failed' | 'left';
  /** Oldest first, gap-free by seq. */
  readonly messages: readonly Message[];
  readonly outbox: readonly Outbound[];
  readonly members: readonly string[];
  /** Other users who sent `chat.typing` within the last `typingMs`. */
  readonly typing: readonly string[];
  /** Messages older than the first one held exist (seq starts at 1). */
  readonly hasOlder: boolean;
  readonly loadingOlder: boolean;
  /** Why the last join or history request failed. */
  readonly error?: string;
}

export interface RoomOptions {
  readonly scheduler: SchedulerLike;
  readonly newId: () => string;
  /** How long a `chat.typing` from someone shows them as typing. */
  readonly typingMs: number;
  /** At most one `chat.typing` from us this often. */
  readonly typingEveryMs: number;
  readonly onLeave: () => void;
}

/** The most messages `room.join` returns after `since`; a reply that full may have a gap after it. */
export const SINCE_LIMIT = 1000;
export const HISTORY_PAGE = 50;

const toMessage = (f: Message): Message => ({ room: f.room, seq: f.seq, user: f.user, text: f.text, at: f.at, id: f.id });

export class Room {
  private readonly state: BehaviorSubject<RoomState>;
  /** The room as this client sees it; emits the current state on subscribe. */
  readonly state$: Observable<RoomState>;
  private readonly subscription: Subscription;
  private readonly timers = new Subscription();
  private readonly typingUntil = new Map<string, number>();
  private lastTypingSent = -Infinity;
  private left = false;
  /** The socket the room is joined on. */
  private joined: Session | null = null;

  constructor(
    readonly name: string,
    private readonly connection: Connection,
    private readonly options: RoomOptions,
  ) {
    this.state = new BehaviorSubject<RoomState>({
      room: name,
      status: 'joining',
      messages: [],
      outbox: [],
      members: [],
      typing: [],
      hasOlder: false,
      loadingOlder: false,
    });
    this.state$ = this.state.asObservable();
    this.subscription = connection.session$.pipe(switchMap((s) => this.joinOn(s))).subscribe();
  }

  get snapshot(): RoomState {
    return this.state.value;
  }

  /** Sends `text`; it shows in `outbox` until committed, and is resent after a reconnect. */
  send(text: string): void {
    const entry: Outbound = { id: this.options.newId(), text };
    // Others stop showing us as typing when the message comes; typing again must show at once.
    this.lastTypingSent = -Infinity;
    this.update({ outbox: [...this.state.value.outbox, entry] });
    if (this.joined) this.transmit(this.joined, entry);
  }

  /** Sends a message the server refused again (same id). */
  retry(id: string): void {
    const entry = this.state.value.outbox.find((o) => o.id === id);
    if (!entry) return;
    const again = { id, text: entry.text };
    this.update({ outbox: this.state.value.outbox.map((o) => (o.id === id ? again : o)) });
    if (this.joined) this.transmit(this.joined, again);
  }

  discard(id: string): void {
    this.update({ outbox: this.state.value.outbox.filter((o) => o.id !== id) });
  }

  /** Call on each keystroke: others are told at most every `typingEveryMs`. */
  typing(): void {
    const now = this.options.scheduler.now();
    if (!this.joined || now - this.lastTypingSent < this.options.typingEveryMs) return;
    this.lastTypingSent = now;
    this.joined.send({ type: 'chat.typing', room: this.name });
  }

  /** Loads the page of messages before the oldest one held (`room.history` with `before`). */
  loadOlder(limit = HISTORY_PAGE): Promise<void> {
    const s = this.state.value;
    if (!s.hasOlder || s.loadingOlder) return Promise.resolve();
    this.update({ loadingOlder: true });
    return new Promise((resolve) => {
      this.connection.session$
        .pipe(
          take(1),
          switchMap((session) => session.request({ type: 'room.history', room: this.name, before: s.messages[0].seq, limit })),
        )
        .subscribe({
          next: (reply) => this.update({ ...this.received(reply.messages.map(toMessage)), loadingOlder: false, error: undefined }),
          error: (e: unknown) => {
            this.update({ loadingOlder: false, error: isConnectionLost(e) ? undefined : (e as Error).message });
            resolve();
          },
          complete: resolve,
        });
    });
  }

  /** Leaves the room for good; this object is done after it. */
  async leave(): Promise<void> {
    const session = this.joined;
    this.subscription.unsubscribe();
    this.timers.unsubscribe();
    this.update({ status: 'left' });
    this.left = true;
    this.state.complete();
    this.options.onLeave();
    if (session) await firstValueFrom(session.request({ type: 'room.leave', room: this.name })).catch(() => undefined);
  }

  private joinOn(session: Session): Observable<never> {
    const live$ = session.frames$.pipe(tap((f) => this.onFrame(f, session)));
    return merge(live$, this.join(session, lastSeq(this.state.value.messages))).pipe(
      ignoreElements(),
      finalize(() => {
        if (this.joined !== session) return;
        this.joined = null;
        this.typingUntil.clear();
        if (this.state.value.status === 'joined') this.update({ status: 'joining', typing: [] });
      }),
    );
  }

  private join(session: Session, since: number | undefined): Observable<never> {
    const frame = since === undefined ? { type: 'room.join' as const, room: this.name } : { type: 'room.join' as const, room: this.name, since };
    return session.request(frame).pipe(
      switchMap((reply) => {
        if (since !== undefined && reply.history.length >= SINCE_LIMIT) {
          // More was missed than one reply holds: start over from the latest page.
          this.update({ messages: [] });
          return this.join(session, undefined);
        }
        this.joined = session;
        this.update({ ...this.received(reply.history.map(toMessage)), status: 'joined', members: [...new Set(reply.members)], error: undefined });
        for (const entry of this.state.value.outbox) if (entry.error === undefined) this.transmit(session, entry);
        return EMPTY;
      }),
      catchError((e: unknown) => {
        if (!isConnectionLost(e)) this.update({ status: 'failed', error: (e as Error).message });
        return EMPTY;
      }),
    );
  }

  private transmit(session: Session, entry: Outbound): void {
    session.request({ type: 'chat.send', room: this.name, text: entry.text, id: entry.id }).subscribe({
      next: (ack) => this.update(this.received([{ room: this.name, seq: ack.seq, user: session.user, text: entry.text, at: ack.at, id: ack.id }])),
      error: (e: unknown) => {
        // A lost connection is not a refusal: the message goes again after the rejoin.
        if (isConnectionLost(e)) return;
        const error = (e as Error).message;
        this.update({ outbox: this.state.value.outbox.map((o) => (o.id === entry.id ? { ...o, error } : o)) });
      },
    });
  }

  private onFrame(f: ServerFrame, session: Session): void {
    if (!('room' in f) || f.room !== this.name) return;
    switch (f.type) {
      case 'chat.message':
        this.typingUntil.delete(f.user);
        this.update({ ...this.received([toMessage(f)]), typing: [...this.typingUntil.keys()] });
        return;
      case 'presence.join':
        if (!this.state.value.members.includes(f.user)) this.update({ members: [...this.state.value.members, f.user] });
        return;
      case 'presence.leave':
        this.update({ members: this.state.value.members.filter((m) => m !== f.user) });
        return;
      case 'chat.typing': {
        if (f.user === session.user) return;
        this.typingUntil.set(f.user, this.options.scheduler.now() + this.options.typingMs);
        this.update({ typing: [...this.typingUntil.keys()] });
        this.timers.add(this.options.scheduler.schedule(() => this.pruneTyping(), this.options.typingMs));
        return;
      }
    }
  }

  /** The change that messages the server committed make: into the list, out of the outbox. */
  private received(incoming: readonly Message[]): Pick<RoomState, 'messages' | 'outbox' | 'hasOlder'> {
    const s = this.state.value;
    const messages = mergeMessages(s.messages, incoming);
    const ids = new Set(incoming.map((m) => m.id));
    const outbox = s.outbox.some((o) => ids.has(o.id)) ? s.outbox.filter((o) => !ids.has(o.id)) : s.outbox;
    return { messages, outbox, hasOlder: messages.length > 0 && messages[0].seq > 1 };
  }

  private pruneTyping(): void {
    const now = this.options.scheduler.now();
    let changed = false;
    for (const [user, until] of this.typingUntil) {
      if (until <= now) changed = this.typingUntil.delete(user) || changed;
    }
    if (changed) this.update({ typing: [...this.typingUntil.keys()] });
  }

  private update(change: Partial<RoomState>): void {
    // Replies still under way when the room was left find it done.
    if (this.left) return;
    this.state.next({ ...this.state.value, ...change });
  }
}
