// How long to wait before the next connection attempt.

export interface Backoff {
  /** Milliseconds before the first retry. */
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /**
   * Share of each delay that is random (0 – 1), so that clients dropped by one server
   * restart do not all come back in the same millisecond.
   */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 15_000, factor: 2, jitter: 0.5 };

/** The delay before retry number `attempt` (1, 2, …); `random` is in [0, 1). */
export const backoffDelay = (attempt: number, b: Backoff, random: () => number): number => {
  const full = Math.min(b.maxMs, b.initialMs * b.factor ** (attempt - 1));
  return Math.round(full * (1 - b.jitter * random()));
};
