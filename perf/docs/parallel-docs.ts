// Websocket variant "parallel": D documents, each replayed in full by its own socket,
// which streams the trace's edits in order with at most `window` unacked; edit i is made
// on version i (the one before it), so no op is transformed and each document ends at
// the trace's text. Throughput-bound: the server's main thread (decode, OT, fan-out,
// commit bookkeeping) and its writer thread share the host with these clients.
import Delta from 'quill-delta';
import type { ClientKind } from '../chat/wire';
import { percentiles, Percentiles } from '../common/figures';
import { cpuWindow, CpuWindow } from '../common/proc';
import { opFrame, openFrame, ServerFrame } from './frames';
import { DocSocket, fetchSnapshot, openSocket } from './socket';
import { deltaOf, firstDifference, loadTrace, patchesOf, plainText, textAfter } from './trace';

export interface ParallelOptions {
  readonly port: number;
  readonly serverPid: number;
  /** The server's threads before its first write (see ../common/proc.ts, cpuWindow). */
  readonly serverThreads: readonly number[];
  readonly trace: string;
  readonly edits: number;
  readonly docs: number;
  readonly window: number;
  readonly client: ClientKind;
}

export interface ParallelResult {
  readonly variant: 'websocket-parallel';
  readonly docIds: readonly string[];
  readonly docs: number;
  readonly editsPerDoc: number;
  readonly window: number;
  readonly ms: number;
  /** Acked ops per second, all documents together. */
  readonly opsPerSec: number;
  readonly ackLatencyMs: Percentiles;
  readonly serverCpu: CpuWindow;
  /** This client process's CPU over the window, in cores. */
  readonly clientCpu: number;
  readonly check: { readonly served: boolean; readonly chars: number };
}

export const runParallel = async (o: ParallelOptions): Promise<ParallelResult> => {
  const trace = loadTrace(o.trace);
  const all = patchesOf(trace);
  const deltas = all.slice(0, o.edits).map(deltaOf);
  const expected = textAfter(trace, all, deltas.length);
  const offset = trace.startContent === '' ? 0 : 1;
  const docIds = Array.from({ length: o.docs }, (_, d) => `b4-par-${d}`);
  // Frames are built before the clock starts: their cost is a client's, not the server's.
  const frames = docIds.map((doc) => deltas.map((op, i) => opFrame(doc, offset + i, op, i)));
  const total = deltas.length;
  const sent = new Array<number>(o.docs).fill(0);
  const acked = new Array<number>(o.docs).fill(0);
  const sentAt = docIds.map(() => new Float64Array(total));
  const latencies = docIds.map(() => new Float64Array(total));
  const sockets: DocSocket[] = [];
  let opened = 0;
  let started = false;
  let failure: Error | undefined;
  let wake: () => void = () => undefined;

  const pump = (d: number) => {
    const now = performance.now();
    while (sent[d] < total && sent[d] - acked[d] < o.window) {
      sentAt[d][sent[d]] = now;
      sockets[d].send(frames[d][sent[d]++]);
    }
  };

  const onFrame = (d: number) => (f: ServerFrame) => {
    if (f.type === 'doc.snapshot') opened++;
    else if (f.type === 'doc.ack') {
      if (f.ref === 'start') acked[d] = -1;
      else {
        const i = acked[d];
        if (f.ref !== i || f.version !== offset + i + 1) failure ??= new Error(`doc ${d}: ack #${i} is for ref ${f.ref}, version ${f.version}`);
        latencies[d][i] = performance.now() - sentAt[d][i];
        acked[d]++;
        if (started) pump(d);
      }
    } else if (f.type === 'error') failure ??= new Error(`doc ${d}: ${f.code} ${f.message}`);
    wake();
  };

  for (let d = 0; d < o.docs; d++) sockets.push(await openSocket(o.client, o.port, `writer${d}`, onFrame(d), (why) => (failure ??= new Error(`doc ${d}: ${why}`))));
  const until = (done: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      wake = () => (failure ? reject(failure) : done() ? resolve() : undefined);
      wake();
    });
  try {
    sockets.forEach((s, d) => s.send(openFrame(docIds[d], 'open')));
    await until(() => opened === o.docs);
    if (offset === 1) {
      sockets.forEach((s, d) => s.send(opFrame(docIds[d], 0, new Delta().insert(trace.startContent), 'start')));
      await until(() => acked.every((a) => a === -1));
      acked.fill(0);
    }

    const cpu = cpuWindow(o.serverPid, new Set(o.serverThreads));
    const clientCpu0 = process.cpuUsage();
    const t0 = performance.now();
    started = true;
    for (let d = 0; d < o.docs; d++) pump(d);
    await until(() => acked.every((a) => a === total));
    const ms = performance.now() - t0;
    const serverCpu = cpu();
    const c = process.cpuUsage(clientCpu0);

    for (const doc of docIds) {
      const served = await fetchSnapshot(o.client, o.port, doc);
      const text = plainText(served.content?.ops ?? []);
      if (text !== expected) throw new Error(`parallel: the server's snapshot of ${doc} differs from the trace: ${firstDifference(text, expected)}`);
      if (served.version !== offset + total) throw new Error(`parallel: ${doc} is at version ${served.version}, expected ${offset + total}`);
    }
    return {
      variant: 'websocket-parallel',
      docIds,
      docs: o.docs,
      editsPerDoc: total,
      window: o.window,
      ms: Math.round(ms),
      opsPerSec: Math.round(((total * o.docs) / ms) * 1000),
      ackLatencyMs: percentiles(latencies, 3),
      serverCpu,
      clientCpu: Math.round(((c.user + c.system) / 1e6 / (ms / 1000)) * 100) / 100,
      check: { served: true, chars: expected.length },
    };
  } finally {
    for (const s of sockets) s.close();
  }
};
