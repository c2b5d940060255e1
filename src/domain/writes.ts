// Everything the server persists, as values: the commit stream batches them and the
// store writes each batch in one transaction.
import type Delta from 'quill-delta';
import { Message } from './chat';

export type Write =
  | { readonly kind: 'message'; readonly message: Message }
  /** A document op as applied, committed as `version` of `doc`. */
  | { readonly kind: 'docOp'; readonly doc: string; readonly version: number; readonly op: Delta; readonly user: string; readonly id?: string; readonly at: number }
  /** The content of `doc` at `version`, so that loading it replays few ops. */
  | { readonly kind: 'docSnapshot'; readonly doc: string; readonly version: number; readonly content: Delta };
