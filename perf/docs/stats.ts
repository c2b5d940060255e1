// Latency percentiles, in ms, rounded for reading.
export interface Percentiles {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export const percentiles = (xs: ArrayLike<number>): Percentiles => {
  const a = Float64Array.from(xs).sort();
  const at = (q: number) => (a.length === 0 ? NaN : round3(a[Math.min(a.length - 1, Math.floor(q * a.length))]));
  return { n: a.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: a.length === 0 ? NaN : round3(a[a.length - 1]) };
};
