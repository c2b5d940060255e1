// Variant "pipeline": the trace through the server's document path in this process,
// wired as src/main.ts wires it but without sockets: each frame's JSON text is decoded
// (domain/protocol), goes through the docs pipeline (streams/docs), the commit stage
// (streams/commit) and the real store (io/store: its writer thread, a temp SQLite file,
// persistence on, the server's own batch limits and durability from io/config). Effects
// are serialized as the gateway would serialize them for the socket.
//
// One editor streams its edits in order on one document, at most `window` unacked; edit i
// is made on version i (the one before it), so no op is transformed. Measured: from the
// first frame to the last ack. Checked: the final document, as the pipeline serves it to
// a later `doc.open` and as the store rebuilds it (`loadDoc`), equals the trace's text.
import fs from 'fs';
import path from 'path';
import { Subject } from 'rxjs';
import Delta from 'quill-delta';
import { isLeft } from 'fp-ts/Either';
import { decode } from '../../src/domain/protocol';
import { loadDoc, snapshot } from '../../src/domain/docs';
import { loadConfig } from '../../src/io/config';
import { openStore } from '../../src/io/store';
import { createMetrics, measuredWrite } from '../../src/io/metrics';
import { commitStage } from '../../src/streams/commit';
import { docs } from '../../src/streams/docs';
import { OPEN } from '../../src/domain/authz';
import { Conn, Effect, Inbound } from '../../src/streams/effects';
import { Write } from '../../src/domain/writes';
import { cpuWindow, CpuWindow, peakRssMB, threadsOf } from '../common/proc';
import { openFrame, opFrame } from './frames';
import { profileWindow } from './profile';
import { deltaOf, firstDifference, loadTrace, patchesOf, plainText, textAfter } from './trace';

export interface PipelineOptions {
  readonly trace: string;
  /** The first this many edits of the trace (all when larger). */
  readonly edits: number;
  readonly window: number;
  /** Edits replayed on another document before the clock starts. */
  readonly warmup: number;
  /** Where the temp SQLite file goes (removed afterwards). */
  readonly dir: string;
  /** When set, the measured window's main-thread profile is written here. */
  readonly profile?: string;
}

export interface PipelineResult {
  readonly variant: 'pipeline';
  readonly edits: number;
  readonly window: number;
  readonly warmup: number;
  readonly ms: number;
  readonly opsPerSec: number;
  readonly version: number;
  readonly batches: { readonly count: number; readonly meanSize: number; readonly maxSize: number; readonly limits: { maxSize: number; maxDelayMs: number } };
  readonly cpu: CpuWindow;
  /** Heap before the run (trace and frames loaded), its peak during it, and RSS. */
  readonly memory: { readonly heapBeforeMB: number; readonly heapPeakMB: number; readonly rssPeakMB: number; readonly processPeakRssMB: number };
  readonly check: { readonly pipeline: boolean; readonly store: boolean; readonly chars: number; readonly storedOpsReplayed: number };
  readonly durability: string;
  readonly profile?: string;
}

const READ_FRAMES = 900;

const MB = (bytes: number) => Math.round(bytes / 2 ** 20);

const fail = (what: string): never => {
  throw new Error(`pipeline: ${what}`);
};

export const runPipeline = async (o: PipelineOptions): Promise<PipelineResult> => {
  const trace = loadTrace(o.trace);
  const all = patchesOf(trace);
  const patches = all.slice(0, o.edits);
  const expected = textAfter(trace, all, patches.length);
  const doc = 'b4';
  // A trace that does not start empty gets one first op, before the clock starts.
  const offset = trace.startContent === '' ? 0 : 1;
  // The frames as the editor's socket would deliver them, built before the clock starts:
  // their cost is the client's, not the server's.
  const framesOf = (d: string, n: number) => all.slice(0, n).map((p, i) => opFrame(d, offset + i, deltaOf(p), i));
  const frames = framesOf(doc, patches.length);
  const warmFrames = framesOf('warm-up', Math.min(o.warmup, all.length));

  // The server's configuration defaults (and RUSHER_* overrides), as main.ts reads them.
  const config = loadConfig(process.env, []);
  const file = path.join(o.dir, `pipeline-${process.pid}-${Date.now()}.db`);
  const store = await openStore(file, config.durability);
  // The writer thread starts with the first write: the threads now are the others.
  const threadsBefore = threadsOf(process.pid);
  const metrics = createMetrics();
  let batches = 0;
  let rows = 0;
  let maxBatch = 0;
  const write = measuredWrite(store.write, metrics, (e) => fail(`commit failed: ${String(e)}`));
  const counted = (batch: readonly Write[]) => {
    batches++;
    rows += batch.length;
    maxBatch = Math.max(maxBatch, batch.length);
    return write(batch);
  };
  const limits = { maxSize: config.batchSize, maxDelayMs: config.batchMs };

  const inbound = new Subject<Inbound>();
  const reader: Conn = { id: 'reader', user: 'reader', access: OPEN };
  // The connection whose acks are being counted, and the count.
  let active = '';
  let acked = 0;
  let lastVersion = 0;
  let failure: Error | undefined;
  const snapshots: { version: number; ops: Delta['ops'] }[] = [];
  let wake: () => void = () => undefined;

  // The gateway's part: serialize each frame for its socket; here the editor's acks drive
  // the editor, and snapshots are kept for the check.
  const run = (effects: readonly Effect[]) => {
    for (const e of effects) {
      if (e.kind !== 'send' && e.kind !== 'publish') continue;
      JSON.stringify(e.frame);
      if (e.kind !== 'send') continue;
      const f = e.frame as { type: string; version?: number; ref?: number | string; content?: { ops: Delta['ops'] } };
      if (f.type === 'doc.ack' && e.conn === active) {
        // Acks come in order, edit i (ref i) as version offset + i + 1.
        if (typeof f.ref === 'number' && (f.ref !== acked || f.version !== offset + acked + 1)) failure ??= new Error(`ack #${acked} is for ref ${f.ref}, version ${f.version}`);
        acked++;
        lastVersion = f.version ?? NaN;
      } else if (f.type === 'doc.snapshot') snapshots.push({ version: f.version ?? NaN, ops: f.content?.ops ?? [] });
      else if (f.type === 'error') failure ??= new Error(`error frame: ${JSON.stringify(f)}`);
    }
    wake();
  };
  const stage = docs(inbound, { load: (d) => store.loadDoc(d, config.docKeep), keep: config.docKeep, snapshotEvery: config.docSnapshotEvery, idleMs: 60_000, docsPerSocket: 0, docChars: 0, maxSnapshotBytes: 0 }).pipe(commitStage(counted, limits));
  const completed = new Promise<void>((resolve, reject) => stage.subscribe({ next: run, error: reject, complete: resolve }));

  const deliver = (conn: Conn, text: string) => {
    const f = decode(text);
    if (isLeft(f)) fail(`decode refused ${text.slice(0, 80)}: ${f.left.message}`);
    else inbound.next({ kind: 'frame', conn, frame: f.right });
  };
  const until = (done: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      wake = () => {
        if (failure) reject(failure);
        else if (done()) resolve();
      };
      wake();
    });

  /** A new editor opens `d` (and, for a trace that does not start empty, types its start). */
  const editorOn = async (d: string): Promise<Conn> => {
    const conn: Conn = { id: `editor-${d}`, user: 'editor', access: OPEN };
    inbound.next({ kind: 'open', conn });
    const seen = snapshots.length;
    deliver(conn, openFrame(d, 'open'));
    await until(() => snapshots.length > seen);
    if (offset === 1) {
      active = conn.id;
      acked = 0;
      deliver(conn, opFrame(d, 0, new Delta().insert(trace.startContent), 'start'));
      await until(() => acked === 1);
    }
    return conn;
  };

  // The editor: keeps the window full, delivering at most a socket read's worth of frames
  // a turn of the event loop (a 64 KiB read holds ~900 of these ~70-byte frames), as uWS
  // hands them over; between turns the writer thread's replies get in, and acks free room.
  const replay = (conn: Conn, texts: readonly string[]) =>
    new Promise<void>((resolve, reject) => {
      active = conn.id;
      acked = 0;
      let sent = 0;
      let scheduled = false;
      const pump = () => {
        scheduled = false;
        const end = Math.min(texts.length, acked + o.window, sent + READ_FRAMES);
        while (sent < end) deliver(conn, texts[sent++]);
        wake();
      };
      wake = () => {
        if (failure) return reject(failure);
        if (acked === texts.length) return resolve();
        if (!scheduled && sent < texts.length && sent - acked < o.window) {
          scheduled = true;
          setImmediate(pump);
        }
      };
      pump();
    });

  inbound.next({ kind: 'open', conn: reader });
  // Warm-up, on a document of its own: the JIT, the writer thread, SQLite's first pages
  // and prepared statements, so that a short replay measures the steady state.
  if (warmFrames.length > 0) await replay(await editorOn('warm-up'), warmFrames);
  const editor = await editorOn(doc);

  let heapPeak = 0;
  let rssPeak = 0;
  const sample = () => {
    const m = process.memoryUsage();
    heapPeak = Math.max(heapPeak, m.heapUsed);
    rssPeak = Math.max(rssPeak, m.rss);
  };
  sample();
  const heapBefore = process.memoryUsage().heapUsed;
  const sampler = setInterval(sample, 50);

  batches = rows = maxBatch = 0;
  const stopProfile = o.profile === undefined ? undefined : await profileWindow(o.profile);
  const cpu = cpuWindow(process.pid, threadsBefore);
  const t0 = performance.now();
  await replay(editor, frames);
  const ms = performance.now() - t0;
  const cpuUsed = cpu();
  const profile = await stopProfile?.();
  clearInterval(sampler);
  sample();

  // What the pipeline serves to someone opening the document now.
  const seen = snapshots.length;
  deliver(reader, openFrame(doc, 'check'));
  await until(() => snapshots.length > seen);
  const served = snapshots[snapshots.length - 1];
  const pipelineText = plainText(served.ops);
  if (pipelineText !== expected) fail(`the document served by the pipeline differs from the trace: ${firstDifference(pipelineText, expected)}`);
  if (served.version !== offset + frames.length) fail(`served version ${served.version}, expected ${offset + frames.length}`);

  // Flush and stop the pipeline, then rebuild the document from what the store holds.
  inbound.complete();
  await completed;
  const stored = await store.loadDoc(doc, config.docKeep);
  const rebuilt = loadDoc(doc, stored.version, stored.content, stored.ops, config.docKeep);
  const storeText = plainText(snapshot(rebuilt).content.ops);
  if (storeText !== expected) fail(`the document rebuilt from the store differs from the trace: ${firstDifference(storeText, expected)}`);
  if (rebuilt.version !== lastVersion) fail(`the store holds version ${rebuilt.version}, the last ack was ${lastVersion}`);
  await store.close();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });

  return {
    variant: 'pipeline',
    edits: frames.length,
    window: o.window,
    warmup: warmFrames.length,
    ms: Math.round(ms),
    opsPerSec: Math.round((frames.length / ms) * 1000),
    version: lastVersion,
    batches: { count: batches, meanSize: Math.round((rows / Math.max(1, batches)) * 10) / 10, maxSize: maxBatch, limits },
    cpu: cpuUsed,
    memory: { heapBeforeMB: MB(heapBefore), heapPeakMB: MB(heapPeak), rssPeakMB: MB(rssPeak), processPeakRssMB: peakRssMB(process.pid) },
    check: { pipeline: true, store: true, chars: expected.length, storedOpsReplayed: stored.ops.length },
    durability: config.durability,
    ...(profile === undefined ? {} : { profile }),
  };
};
