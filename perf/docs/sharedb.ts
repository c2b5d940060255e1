// Variant "sharedb": the peer. ShareDB 7 with its in-memory backend (MemoryDB: nothing
// persisted) and the rich-text type (Quill deltas, as Rusher's documents), the same edits
// on one document from one in-process client (`backend.connect()`), each `submitOp`
// awaited before the next: ShareDB's client keeps one op in flight anyway, and awaiting
// makes every edit its own op (a pipelined ShareDB client would compose them into fewer).
// Checked: the backend's snapshot, fetched afresh, equals the trace's text after the edits
// replayed (all of them, unless the time budget cut the replay short).
import ShareDB from 'sharedb';
import { type as richText } from 'rich-text';
import { cpuWindow, CpuWindow, peakRssMB, threadsOf } from '../common/proc';
import { deltaOf, firstDifference, loadTrace, patchesOf, plainText, textAfter } from './trace';

export interface ShareDbOptions {
  readonly trace: string;
  readonly edits: number;
  /** Edits replayed on another document before the clock starts (as for the pipeline). */
  readonly warmup: number;
  /** Time budget: ShareDB slows as the document grows; past this it stops, and the edits done so far are what is compared. */
  readonly maxMs: number;
  /** Progress on stderr every this many ms (0: none); the whole trace takes a minute or more. */
  readonly progressMs: number;
}

export interface ShareDbResult {
  readonly variant: 'sharedb';
  /** Edits replayed (and checked): `asked`, unless the time budget ran out first. */
  readonly edits: number;
  readonly asked: number;
  readonly cutByTime: boolean;
  readonly warmup: number;
  readonly ms: number;
  readonly opsPerSec: number;
  /** Ops/s over each tenth of the edits: ShareDB slows as the document grows. */
  readonly opsPerSecByTenth: readonly number[];
  readonly version: number;
  readonly cpu: CpuWindow;
  readonly memory: { readonly heapAfterMB: number; readonly processPeakRssMB: number };
  readonly check: { readonly snapshot: boolean; readonly chars: number };
}

const call = (f: (cb: (err?: Error | null) => void) => void) =>
  new Promise<void>((resolve, reject) => f((err) => (err ? reject(err) : resolve())));

export const runShareDb = async (o: ShareDbOptions): Promise<ShareDbResult> => {
  const trace = loadTrace(o.trace);
  const all = patchesOf(trace);
  const patches = all.slice(0, o.edits);
  // rich-text ops are plain arrays of Quill ops.
  const ops = patches.map((p) => deltaOf(p).ops);

  ShareDB.types.register(richText);
  const backend = new ShareDB();
  const connection = backend.connect();
  const start = trace.startContent === '' ? [] : [{ insert: trace.startContent }];
  const warm = connection.get('docs', 'warm-up');
  await call((cb) => warm.create(start, 'rich-text', cb));
  const warmup = Math.min(o.warmup, ops.length);
  for (let i = 0; i < warmup; i++) await call((cb) => warm.submitOp(ops[i], cb));
  const doc = connection.get('docs', 'b4');
  await call((cb) => doc.create(start, 'rich-text', cb));

  const tenth = Math.max(1, Math.ceil(ops.length / 10));
  const byTenth: number[] = [];
  // No writer thread here: every thread now is one of the others.
  const cpu = cpuWindow(process.pid, threadsOf(process.pid));
  const t0 = performance.now();
  let mark = t0;
  let lastProgress = t0;
  // Edits replayed; fewer than asked when the time budget ran out first.
  let done = 0;
  while (done < ops.length && performance.now() - t0 < o.maxMs) {
    const i = done++;
    await call((cb) => doc.submitOp(ops[i], cb));
    if (done % tenth === 0 || done === ops.length) {
      const now = performance.now();
      byTenth.push(Math.round(((done - byTenth.length * tenth) / (now - mark)) * 1000));
      mark = now;
      if (o.progressMs > 0 && now - lastProgress >= o.progressMs) {
        lastProgress = now;
        process.stderr.write(`  sharedb: ${done}/${ops.length} edits, ${byTenth[byTenth.length - 1]} ops/s over the last tenth\n`);
      }
    }
  }
  const ms = performance.now() - t0;
  const cpuUsed = cpu();

  const expected = textAfter(trace, all, done);
  const snap = await new Promise<{ v: number; data: unknown }>((resolve, reject) =>
    backend.db.getSnapshot('docs', 'b4', null, null, (err, s) => (err ? reject(err) : resolve(s))),
  );
  const text = plainText((snap.data as { ops: { insert?: unknown }[] }).ops);
  if (text !== expected) throw new Error(`sharedb: the final snapshot differs from the trace: ${firstDifference(text, expected)}`);
  const heapAfter = process.memoryUsage().heapUsed;
  connection.close();
  await call((cb) => backend.close(cb));

  return {
    variant: 'sharedb',
    edits: done,
    asked: ops.length,
    cutByTime: done < ops.length,
    warmup,
    ms: Math.round(ms),
    opsPerSec: Math.round((done / ms) * 1000),
    opsPerSecByTenth: byTenth,
    version: snap.v,
    cpu: cpuUsed,
    memory: { heapAfterMB: Math.round(heapAfter / 2 ** 20), processPeakRssMB: peakRssMB(process.pid) },
    check: { snapshot: true, chars: expected.length },
  };
};
