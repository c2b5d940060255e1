// What pipelines see of sockets (Inbound) and what they ask for (Out): effects the
// gateway carries out now, and writes whose effects wait for their commit.
import { ObservableInput } from 'rxjs';
import { Either } from 'fp-ts/Either';
import { ClientFrame, Ref } from '../domain/protocol';
import { ProtocolError, err } from '../domain/errors';
import { Write } from '../domain/writes';
import { Access, Action, refusal } from '../domain/authz';

/** A socket as pipelines see it: who it is and what its token allows (domain/authz). */
export interface Conn {
  readonly id: string;
  readonly user: string;
  readonly access: Access;
}

export type Inbound =
  | { readonly kind: 'open'; readonly conn: Conn }
  | { readonly kind: 'close'; readonly conn: Conn }
  /** The socket refreshed its token: `conn.access` is the new one; what it no longer allows is undone. */
  | { readonly kind: 'access'; readonly conn: Conn }
  | { readonly kind: 'frame'; readonly conn: Conn; readonly frame: ClientFrame };

export type ServerFrame = { readonly type: string } & Readonly<Record<string, unknown>>;

export type Effect =
  | { readonly kind: 'send'; readonly conn: string; readonly frame: ServerFrame }
  /** To every subscriber of `topic`; but the socket `except`, when given. */
  | { readonly kind: 'publish'; readonly topic: string; readonly frame: ServerFrame; readonly except?: string }
  | { readonly kind: 'subscribe'; readonly conn: string; readonly topic: string }
  | { readonly kind: 'unsubscribe'; readonly conn: string; readonly topic: string };

/**
 * A write and what follows from it: `settle` runs once the write's batch has committed
 * (or failed), updates the pipeline's state and says what to tell whom. Nothing about
 * a write reaches a socket before that.
 */
export interface Pending {
  readonly kind: 'write';
  readonly write: Write;
  readonly settle: (result: Either<ProtocolError, unknown>) => readonly Effect[];
}

export type Out = Effect | Pending;

export const send = (conn: string, frame: ServerFrame): Effect => ({ kind: 'send', conn, frame });
export const publish = (topic: string, frame: ServerFrame, except?: string): Effect =>
  except === undefined ? { kind: 'publish', topic, frame } : { kind: 'publish', topic, frame, except };
export const subscribe = (conn: string, topic: string): Effect => ({ kind: 'subscribe', conn, topic });
export const unsubscribe = (conn: string, topic: string): Effect => ({ kind: 'unsubscribe', conn, topic });
export const pending = (write: Write, settle: Pending['settle']): Pending => ({ kind: 'write', write, settle });

/** `ref` is echoed only when the client gave one. */
export const withRef = <F extends ServerFrame>(frame: F, ref: Ref | undefined): F =>
  ref === undefined ? frame : { ...frame, ref };

export const errorFrame = (e: ProtocolError, ref?: Ref): ServerFrame => withRef({ type: 'error', ...e }, ref);
export const replyError = (conn: string, e: ProtocolError, ref?: Ref): Effect => send(conn, errorFrame(e, ref));

export const isProtocolError = (e: unknown): e is ProtocolError =>
  typeof e === 'object' && e !== null && typeof (e as ProtocolError).code === 'string' && typeof (e as ProtocolError).message === 'string';

/** `forbidden` at `path` when `conn` may not do `action` (domain/authz); undefined when it may. */
export const forbidden = (conn: Conn, action: Action, path: string): ProtocolError | undefined => {
  const reason = refusal(conn.user, conn.access, action);
  return reason === undefined ? undefined : err('forbidden', reason, path);
};

export const unavailable = err('unavailable', 'the store failed; nothing was committed; retry');

/**
 * Runs a pipeline's handler for one inbound event; if it throws (a bug, never client
 * input), the sender gets `unavailable` and the pipeline lives on.
 */
export const guarded =
  (handle: (event: Inbound) => ObservableInput<Out>) =>
  (event: Inbound): ObservableInput<Out> => {
    try {
      return handle(event);
    } catch {
      return event.kind === 'frame' ? [replyError(event.conn.id, err('unavailable', 'the server failed to handle this frame'), event.frame.ref)] : [];
    }
  };
