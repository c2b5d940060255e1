// Everything the server persists, as values: the commit stream batches them and the
// store writes each batch in one transaction.
import type Delta from 'quill-delta';
import { Message } from './chat';
import type { Fence } from './geo/fence';
import type { FenceEvent } from './geo/transitions';
import type { FeedWrite } from './feeds/writes';

export type Write =
  | { readonly kind: 'message'; readonly message: Message }
  /** A document op as applied, committed as `version` of `doc`. */
  | { readonly kind: 'docOp'; readonly doc: string; readonly version: number; readonly op: Delta; readonly user: string; readonly id?: string; readonly at: number }
  /** The content of `doc` at `version`, so that loading it replays few ops. */
  | { readonly kind: 'docSnapshot'; readonly doc: string; readonly version: number; readonly content: Delta }
  /** A location update (stored even when stale) and the fence events it caused. */
  | {
      readonly kind: 'location';
      readonly device: string;
      readonly user: string;
      readonly lat: number;
      readonly lng: number;
      readonly at: number;
      readonly accuracy?: number;
      readonly stale: boolean;
      readonly events: readonly FenceEvent[];
    }
  /** A fence created or replaced at `at`, and the events of re-evaluating the devices. */
  | { readonly kind: 'fence'; readonly fence: Fence; readonly at: number; readonly events: readonly FenceEvent[] }
  | { readonly kind: 'fenceDelete'; readonly id: string; readonly events: readonly FenceEvent[] }
  /** A feed change: a post, a follow, a reaction, … (feeds/writes.ts). */
  | { readonly kind: 'feed'; readonly feed: FeedWrite };
