// The Rusher client: one connection, and rooms, documents and fences on top of it.
import { Observable, asyncScheduler, filter, map, switchMap, take } from 'rxjs';
import { Connection, ConnectionOptions, ConnectionState, connect } from './connection';
import { Doc } from './doc';
import { RusherError } from './errors';
import { Fences } from './fences';
import { FrameOf, ReplyTo, Request } from './frames';
import { Room } from './room';

export interface RusherOptions extends ConnectionOptions {
  /** Ids for chat messages and doc ops (idempotency keys); random by default. */
  readonly newId?: () => string;
}

export interface Rusher {
  readonly state$: Observable<ConnectionState>;
  /** `error` frames that answer no request (a typing frame to a room not joined, say). */
  readonly errors$: Observable<RusherError>;
  /** Any request on the open socket (waiting for one); see Session.request. */
  readonly request: <F extends Request>(frame: F) => Observable<ReplyTo<F>>;
  /** The room, joined until `leave()`; the same object for the same name. */
  readonly room: (name: string) => Room;
  /** The document, open until `close()`; the same object for the same id. */
  readonly doc: (id: string) => Doc;
  readonly fences: Fences;
  readonly connection: Connection;
  /** Closes the socket for good. */
  readonly close: () => void;
}

/** 128 random bits as hex; `crypto.randomUUID` exists only on https and localhost pages. */
export const randomId = (): string => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * The socket URL on the server at `base` (`ws://host:port`): by name when the server runs
 * without token auth, by token (a JWT your backend minted) when it runs with it.
 */
export const socketUrl = (base: string, who: string | { readonly token: string }): string =>
  typeof who === 'string' ? `${base}/ws?user=${encodeURIComponent(who)}` : `${base}/ws?token=${encodeURIComponent(who.token)}`;

/** The `sub` of a JWT, read without verifying it (the server verifies): to show who you are. */
export const tokenUser = (token: string): string | undefined => {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const sub = (JSON.parse(atob(payload)) as { sub?: unknown }).sub;
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
};

export const TYPING_MS = 4000;
export const TYPING_EVERY_MS = 2000;
export const CURSOR_MS = 60_000;

export const createRusher = (options: RusherOptions): Rusher => {
  const scheduler = options.scheduler ?? asyncScheduler;
  const newId = options.newId ?? randomId;
  const connection = connect(options);
  const rooms = new Map<string, Room>();
  const docs = new Map<string, Doc>();

  const room = (name: string): Room => {
    let r = rooms.get(name);
    if (!r) {
      r = new Room(name, connection, { scheduler, newId, typingMs: TYPING_MS, typingEveryMs: TYPING_EVERY_MS, onLeave: () => rooms.delete(name) });
      rooms.set(name, r);
    }
    return r;
  };

  const doc = (id: string): Doc => {
    let d = docs.get(id);
    if (!d) {
      d = new Doc(id, connection, { scheduler, newId, cursorMs: CURSOR_MS, onClose: () => docs.delete(id) });
      docs.set(id, d);
    }
    return d;
  };

  return {
    state$: connection.state$,
    errors$: connection.session$.pipe(
      switchMap((s) => s.frames$),
      filter((f): f is FrameOf<'error'> => f.type === 'error' && f.ref === undefined),
      map((f) => new RusherError(f.code, f.message, f.path)),
    ),
    request: (frame) => connection.session$.pipe(take(1), switchMap((s) => s.request(frame))),
    room,
    doc,
    fences: new Fences(connection),
    connection,
    close: connection.close,
  };
};
