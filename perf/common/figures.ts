// Figures for reading: rounding, latency percentiles, and the compact numbers of the
// summary tables (1.23M, 45.6k).
export const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

export interface Percentiles {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Percentiles of the samples of every chunk together, rounded to `digits`; NaN without samples. */
export const percentiles = (chunks: readonly ArrayLike<number>[], digits: number): Percentiles => {
  const all = new Float64Array(chunks.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.length;
  }
  all.sort();
  const n = all.length;
  const at = (q: number) => (n === 0 ? NaN : round(all[Math.min(n - 1, Math.floor(q * n))], digits));
  return { n, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: n ? round(all[n - 1], digits) : NaN };
};

/** A table cell: 1.23M, 45.6k, 789, 1.23; what is not a finite number as it is ("—" for nothing). */
export const fmt = (x: unknown) => {
  if (typeof x !== 'number' || !Number.isFinite(x)) return String(x ?? '—');
  if (Math.abs(x) >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (Math.abs(x) >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  if (Math.abs(x) >= 100) return String(Math.round(x));
  return String(round(x, 2));
};
