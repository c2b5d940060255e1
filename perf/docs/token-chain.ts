// Websocket variant "chain": N editors on ONE document, the trace dealt among them in
// turns of `block` consecutive edits (block 1: strict round-robin). Every editor runs the
// shared client state machine (domain/ot DocClient: one op in flight, later edits
// composed into one buffered op) and makes edit i only once its local document holds
// edits 0..i-1, so each edit is made on exactly the text it was recorded on and the
// document ends at the trace's text. The turn passes from one editor to the next through
// the server (commit, then broadcast), so this is latency-bound: with block 1 every edit
// is one commit round trip; larger blocks let an editor type a run of edits while its
// first op is in flight, as a typist would, and DocClient composes them.
import Delta from 'quill-delta';
import { DocClient, Submission } from '../../src/domain/ot';
import type { ClientKind } from '../chat/wire';
import { percentiles, Percentiles } from '../common/figures';
import { cpuWindow, CpuWindow } from '../common/proc';
import { opFrame, openFrame, ServerFrame } from './frames';
import { DocSocket, fetchSnapshot, openSocket } from './socket';
import { deltaOf, firstDifference, loadTrace, patchesOf, plainText, textAfter } from './trace';

export interface ChainOptions {
  readonly port: number;
  readonly serverPid: number;
  /** The server's threads before its first write (see ../common/proc.ts, cpuWindow). */
  readonly serverThreads: readonly number[];
  readonly trace: string;
  readonly edits: number;
  readonly clients: number;
  readonly block: number;
  readonly client: ClientKind;
}

export interface ChainResult {
  readonly variant: 'websocket-chain';
  readonly doc: string;
  readonly edits: number;
  readonly clients: number;
  readonly block: number;
  readonly ms: number;
  /** Trace edits per second, from the first edit until every editor holds the last. */
  readonly opsPerSec: number;
  /** Ops the server committed (DocClient composes an editor's buffered edits into one). */
  readonly serverOps: number;
  readonly serverOpsPerSec: number;
  /** From sending an op to its ack, ms. */
  readonly ackLatencyMs: Percentiles;
  readonly serverCpu: CpuWindow;
  readonly check: { readonly editors: boolean; readonly served: boolean; readonly chars: number };
}

export const runChain = async (o: ChainOptions): Promise<ChainResult> => {
  const trace = loadTrace(o.trace);
  const all = patchesOf(trace);
  const edits = all.slice(0, o.edits).map(deltaOf);
  const expected = textAfter(trace, all, edits.length);
  const doc = `b4-chain-${o.clients}x${o.block}`;
  const N = o.clients;
  const B = o.block;
  const total = edits.length;

  // Editor k owns blocks k, k + N, k + 2N, …; after the last edit of a block comes its next block.
  const nextOwned = (i: number) => ((i + 1) % B !== 0 ? i + 1 : i + 1 + (N - 1) * B);

  // held[k]: how many of the trace's edits editor k's document holds. An op's id carries
  // its author and that count when it was sent, so a receiver knows where it stands. Ops
  // reach every editor in trace order: an editor makes edit i only after receiving the op
  // holding edit i - 1, which the server broadcast only once it was committed.
  const held = new Array<number>(N).fill(0);
  const next = Array.from({ length: N }, (_, k) => k * B);
  const editors = Array.from({ length: N }, (_, k) => new DocClient(0, new Delta(), () => `${k}:${held[k]}`));
  const sentAt = new Array<number>(N).fill(0);
  const latencies: number[] = [];
  const sockets: DocSocket[] = [];
  let refs = 0;
  let failure: Error | undefined;
  let wake: () => void = () => undefined;
  let opened = 0;

  const submit = (k: number, s: Submission | undefined) => {
    if (s === undefined) return;
    sentAt[k] = performance.now();
    sockets[k].send(opFrame(doc, s.version, s.op, ++refs, s.id));
  };

  // Editor k types every edit it owns for which its document is ready.
  const advance = (k: number) => {
    while (next[k] < total && held[k] === next[k]) {
      const i = next[k];
      held[k]++;
      next[k] = nextOwned(i);
      submit(k, editors[k].edit(edits[i]));
    }
  };

  const onFrame = (k: number) => (f: ServerFrame) => {
    switch (f.type) {
      case 'doc.snapshot':
        opened++;
        break;
      case 'doc.ack':
        latencies.push(performance.now() - sentAt[k]);
        submit(k, editors[k].receive({ kind: 'ack', version: f.version as number }).send);
        break;
      case 'doc.op': {
        const r = editors[k].receive({ kind: 'op', version: f.version as number, op: new Delta(f.op?.ops ?? []), id: f.id });
        const count = Number(String(f.id ?? '').split(':')[1]);
        if (!Number.isInteger(count)) failure ??= new Error(`editor ${k}: op without a count in its id (${f.id})`);
        else held[k] = count;
        submit(k, r.send);
        advance(k);
        break;
      }
      case 'error':
        failure ??= new Error(`editor ${k}: ${f.code} ${f.message}`);
        break;
    }
    wake();
  };

  for (let k = 0; k < N; k++) sockets.push(await openSocket(o.client, o.port, `editor${k}`, onFrame(k), (why) => (failure ??= new Error(`editor ${k}: ${why}`))));
  const until = (done: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      wake = () => (failure ? reject(failure) : done() ? resolve() : undefined);
      wake();
    });
  try {
    sockets.forEach((s) => s.send(openFrame(doc, 'open')));
    await until(() => opened === N);
    if (trace.startContent !== '') {
      // Not part of the trace's edits: the text it starts from, before the clock starts.
      submit(0, editors[0].edit(new Delta().insert(trace.startContent)));
      await until(() => editors.every((e) => e.version === 1 && !e.pending));
    }
    latencies.length = 0;

    const cpu = cpuWindow(o.serverPid, new Set(o.serverThreads));
    const t0 = performance.now();
    for (let k = 0; k < N; k++) advance(k);
    await until(() => held.every((h) => h === total) && editors.every((e) => !e.pending));
    const ms = performance.now() - t0;
    const serverCpu = cpu();

    for (let k = 0; k < N; k++) {
      const text = plainText(editors[k].content.ops);
      if (text !== expected) throw new Error(`chain: editor ${k}'s document differs from the trace: ${firstDifference(text, expected)}`);
    }
    const served = await fetchSnapshot(o.client, o.port, doc);
    const servedText = plainText(served.content?.ops ?? []);
    if (servedText !== expected) throw new Error(`chain: the server's snapshot differs from the trace: ${firstDifference(servedText, expected)}`);
    const versions = (served.version as number) - (trace.startContent === '' ? 0 : 1);
    return {
      variant: 'websocket-chain',
      doc,
      edits: total,
      clients: N,
      block: B,
      ms: Math.round(ms),
      opsPerSec: Math.round((total / ms) * 1000),
      serverOps: versions,
      serverOpsPerSec: Math.round((versions / ms) * 1000),
      ackLatencyMs: percentiles([latencies], 3),
      serverCpu,
      check: { editors: true, served: true, chars: expected.length },
    };
  } finally {
    for (const s of sockets) s.close();
  }
};
