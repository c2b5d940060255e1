// What pipelines see of sockets (Inbound) and what they ask the gateway to do (Effect).
import { Observable, of } from 'rxjs';
import { ClientFrame, Ref } from '../domain/protocol';
import { ProtocolError, err } from '../domain/errors';

export interface Conn {
  readonly id: string;
  readonly user: string;
}

export type Inbound =
  | { readonly kind: 'open'; readonly conn: Conn }
  | { readonly kind: 'close'; readonly conn: Conn }
  | { readonly kind: 'frame'; readonly conn: Conn; readonly frame: ClientFrame };

export type ServerFrame = { readonly type: string } & Readonly<Record<string, unknown>>;

export type Effect =
  | { readonly kind: 'send'; readonly conn: string; readonly frame: ServerFrame }
  /** To every subscriber of `topic`; but the socket `except`, when given. */
  | { readonly kind: 'publish'; readonly topic: string; readonly frame: ServerFrame; readonly except?: string }
  | { readonly kind: 'subscribe'; readonly conn: string; readonly topic: string }
  | { readonly kind: 'unsubscribe'; readonly conn: string; readonly topic: string };

export const send = (conn: string, frame: ServerFrame): Effect => ({ kind: 'send', conn, frame });
export const publish = (topic: string, frame: ServerFrame, except?: string): Effect =>
  except === undefined ? { kind: 'publish', topic, frame } : { kind: 'publish', topic, frame, except };
export const subscribe = (conn: string, topic: string): Effect => ({ kind: 'subscribe', conn, topic });
export const unsubscribe = (conn: string, topic: string): Effect => ({ kind: 'unsubscribe', conn, topic });

/** `ref` is echoed only when the client gave one. */
export const withRef = <F extends ServerFrame>(frame: F, ref: Ref | undefined): F =>
  ref === undefined ? frame : { ...frame, ref };

export const errorFrame = (e: ProtocolError, ref?: Ref): ServerFrame => withRef({ type: 'error', ...e }, ref);
export const replyError = (conn: string, e: ProtocolError, ref?: Ref): Effect => send(conn, errorFrame(e, ref));

/**
 * Runs a pipeline's handler for one inbound event; if it throws (a bug, never client
 * input), the sender gets `unavailable` and the pipeline lives on.
 */
export const guarded =
  (handle: (event: Inbound) => Observable<Effect>) =>
  (event: Inbound): Observable<Effect> => {
    try {
      return handle(event);
    } catch {
      const ref = event.kind === 'frame' ? event.frame.ref : undefined;
      return event.kind === 'frame' ? of(replyError(event.conn.id, err('unavailable', 'the server failed to handle this frame'), ref)) : of();
    }
  };
