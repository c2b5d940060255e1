// The summary: one row per measurement, with CPU per op (robust on a busy host, where
// ops/s is not), and the Rusher/ShareDB ratio on the same edits.
import { fmt as figure } from '../common/figures';

export interface Row {
  readonly label: string;
  readonly edits: number;
  readonly opsPerSec: number;
  /** µs of CPU per op: the Rusher main thread (in-process or the server's), and the whole process. */
  readonly mainUsPerOp: number;
  /** µs of CPU per op in the store's writer thread. */
  readonly writerUsPerOp: number;
  readonly processUsPerOp: number;
  readonly rssMB: number;
  readonly ackP50Ms: number;
  readonly checked: string;
  readonly target: string;
}

/** A cell: "—" for what was not measured (NaN). */
export const fmt = (x: number): string => (Number.isFinite(x) ? figure(x) : '—');

export const table = (rows: readonly Row[]): string => {
  // What the main thread would sustain with a core to itself: on a shared host, the rate
  // it reached is capped by the core it got, and this is not.
  const head = ['variant', 'edits', 'ops/s', 'main µs/op', 'writer µs/op', 'proc µs/op', '1-core ceiling', 'RSS MB', 'ack p50 ms', 'check', 'target'];
  const cells = rows.map((r) => [r.label, fmt(r.edits), fmt(r.opsPerSec), fmt(r.mainUsPerOp), fmt(r.writerUsPerOp), fmt(r.processUsPerOp), fmt(1e6 / r.mainUsPerOp), fmt(r.rssMB), fmt(r.ackP50Ms), r.checked, r.target]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]) => `| ${c.map((x, i) => (i === 0 || i >= 9 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 || i >= 9 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...cells.map(line)].join('\n');
};
