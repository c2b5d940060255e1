import type { Shape } from './shape';

/** A fence as the protocol shows it: a named shape, how long a stay must last to dwell, and whose it is. */
export interface Fence {
  readonly id: string;
  readonly name: string;
  readonly shape: Shape;
  readonly dwellMs?: number;
  /** The user who created it; null for a fence made before fences had owners (only admins may change it). */
  readonly owner: string | null;
}
