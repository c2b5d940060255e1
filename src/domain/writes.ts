// Everything the server persists, as values: the commit stream batches them and the
// store writes each batch in one transaction.
import type Delta from 'quill-delta';
import { Message } from './chat';
import type { Fence } from './geo/fence';
import type { DeviceState, FenceEvent } from './geo/transitions';

/**
 * A device's state to store, so that a start reads it back instead of replaying the
 * location log: its position, its owner (kept from the first time), and its stays
 * (only when `stays` says they changed; otherwise the stored ones stand).
 */
export interface DeviceWrite {
  readonly owner: string;
  readonly state: DeviceState;
  readonly stays: boolean;
}

export type Write =
  | { readonly kind: 'message'; readonly message: Message }
  /** A document op as applied, committed as `version` of `doc`. */
  | { readonly kind: 'docOp'; readonly doc: string; readonly version: number; readonly op: Delta; readonly user: string; readonly id?: string; readonly at: number }
  /** The content of `doc` at `version`, so that loading it replays few ops. */
  | { readonly kind: 'docSnapshot'; readonly doc: string; readonly version: number; readonly content: Delta }
  /** A location update (stored even when stale), the fence events it caused, and the device's new state (none when stale). */
  | {
      readonly kind: 'location';
      readonly device: string;
      /** Who reported it (the device's owner, or an admin). */
      readonly user: string;
      readonly state?: DeviceWrite;
      readonly lat: number;
      readonly lng: number;
      readonly at: number;
      readonly accuracy?: number;
      readonly stale: boolean;
      readonly events: readonly FenceEvent[];
    }
  /** A fence created or replaced at `at`, and the events and device states of re-evaluating the devices. */
  | { readonly kind: 'fence'; readonly fence: Fence; readonly at: number; readonly events: readonly FenceEvent[]; readonly devices: readonly DeviceWrite[] }
  | { readonly kind: 'fenceDelete'; readonly id: string; readonly events: readonly FenceEvent[]; readonly devices: readonly DeviceWrite[] };
