// The client frames the document benchmarks send, as the JSON text a client puts on the
// wire (PROTOCOL.md, doc.*), and the few server frames they read back.
import type Delta from 'quill-delta';

export const openFrame = (doc: string, ref: number | string): string => JSON.stringify({ type: 'doc.open', ref, doc });

/** `op` made on server version `version`; `id` makes a resend idempotent (DocClient sets it). */
export const opFrame = (doc: string, version: number, op: Delta, ref: number | string, id?: string): string =>
  JSON.stringify(id === undefined ? { type: 'doc.op', ref, doc, version, op: { ops: op.ops } } : { type: 'doc.op', ref, doc, version, op: { ops: op.ops }, id });

/** What the benchmarks read of a server frame. */
export interface ServerFrame {
  readonly type: string;
  readonly ref?: number | string;
  readonly doc?: string;
  readonly version?: number;
  readonly op?: { readonly ops: Delta['ops'] };
  readonly id?: string;
  readonly content?: { readonly ops: Delta['ops'] };
  readonly code?: string;
  readonly message?: string;
}
