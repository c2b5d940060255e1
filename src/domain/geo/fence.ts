import type { Shape } from './shape';

/** A fence as the protocol shows it: a named shape, and how long a stay must last to dwell. */
export interface Fence {
  readonly id: string;
  readonly name: string;
  readonly shape: Shape;
  readonly dwellMs?: number;
}
