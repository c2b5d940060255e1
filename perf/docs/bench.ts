// The document benchmark: the B4 editing trace (259,778 single-character edits of a paper,
// ../shared/data/automerge-paper.json.gz) through Rusher three ways and through ShareDB,
// in one run, loopback only, every final document checked against the trace's text.
//   pipeline   in process (pipeline.ts): decode → docs pipeline → commit stage → the real
//              store (--store: a temp SQLite file and its writer thread, or Postgres); one
//              editor streaming in order.
//   websocket  the real server as a child process (../common/server.ts), clients in one child
//              process (ws-client.ts):
//              chain, strict: N editors on one document, edits dealt round-robin one at a
//                time, each made once the editor holds every earlier edit (token-chain.ts);
//                one commit round trip per edit, so a prefix of the trace (--strict-edits);
//              chain, turns of --block edits: the same over the whole trace, an editor
//                typing a run of edits at its turn (DocClient composes them);
//              parallel: --docs documents, each replayed in full by its own socket with a
//                --window of unacked ops (parallel-docs.ts).
//              After each, the server is stopped and the store re-read (store-check.ts).
//   sharedb    ShareDB 7, in-memory backend, rich-text type, one in-process client awaiting
//              each op (sharedb.ts); with --sharedb-ops N only the first N edits (and it
//              stops early at --sharedb-seconds); when it did fewer than the pipeline, the
//              pipeline runs again on exactly those, so that the ratio compares like with like.
// One JSON line per result on stdout (and a summary line), progress on stderr, then a
// summary table. Bounded by --max-seconds; child processes and temp files are removed.
//
//   npm run bench:docs -- [options]
//     --only pipeline,websocket,sharedb   --trace PATH (../shared/data/automerge-paper.json.gz)
//     --edits N|all (all: a prefix everywhere, for a quick run)   --pipeline-window N (16384)
//     --warmup N (5000: edits replayed on another document before the in-process clocks start)
//     --clients N (4)  --block N (256)  --strict-edits N (3000; 0 skips)  --docs N (4)  --window N (256)
//     --sharedb-ops N|all (all)  --sharedb-seconds S (240: ShareDB stops there; the ratio uses the edits it did)
//     --client raw|ws (raw)  --client-nice N (10)
//     --profile (CPU profiles: the pipeline's window, the server's main and writer threads, ShareDB)
//     --store sqlite|postgres|postgres://… (sqlite; see ../common/store.ts)
//     --json-only  --max-seconds S (900)  --rusher-main PATH (dist/src/main.js)
import { fork } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { round } from '../common/figures';
import { startHarness } from '../common/harness';
import { CpuWindow, hostLoad, peakRssMB, rssMB } from '../common/proc';
import { Server, cpuProfArgs, startServer, stopServer } from '../common/server';
import { benchStore } from '../common/store';
import { parseOptions, Variant } from './options';
import { summarizeDir } from './profile';
import { checkStore } from './store-check';
import { Row, fmt, table } from './summary';
import { loadTrace, patchesOf, textAfter } from './trace';
import type { ChildReply } from '../common/child';
import type { VariantCommand } from './variant';
import type { ClientCommand } from './ws-client';
import type { PipelineResult } from './pipeline';
import type { ShareDbResult } from './sharedb';
import type { ChainResult } from './token-chain';
import type { ParallelResult } from './parallel-docs';

const here = __dirname; // dist/perf/docs
const O = parseOptions(process.argv.slice(2), here);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rusher-bench-docs-'));
const profileRoot = O.profile ? path.join(os.tmpdir(), `rusher-docs-profiles-${Date.now()}`) : undefined;
// The rows measured so far: on a timeout, they are still reported.
const rows: Row[] = [];
const harness = startHarness({
  bench: 'docs',
  jsonOnly: O.jsonOnly,
  maxSeconds: O.maxSeconds,
  tmp,
  onTimeout: () => {
    emit({ summary: rows, incomplete: true });
    if (!O.jsonOnly) process.stdout.write(`\n${table(rows)}\n\n`);
  },
});
const { say, emit, track, run } = harness;
const store = benchStore(O.store, track);

/**
 * Forks `script`, sends it one command, resolves with its one reply once it has exited
 * (under --cpu-prof, a child writes its profiles on the way out).
 */
const runChild = <R>(script: string, command: VariantCommand | ClientCommand, o: { execArgv?: string[]; nice?: number } = {}): Promise<R> =>
  new Promise((resolve, reject) => {
    const child = fork(path.join(here, script), [], { execArgv: o.execArgv ?? [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    track(child);
    if (o.nice) os.setPriority(child.pid as number, o.nice);
    let reply: ChildReply | undefined;
    child.once('message', (m: ChildReply) => (reply = m));
    child.once('exit', (code, signal) => {
      if (reply === undefined) reject(new Error(`${script} exited (${code ?? signal}) without a result`));
      else if (reply.ok) resolve(reply.result as R);
      else reject(new Error(reply.error));
    });
    child.send(command);
  });

const profileDir = (name: string) => (profileRoot === undefined ? undefined : path.join(profileRoot, name));
/** `node --cpu-prof` names files CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread. */
const threadOf = (file: string) => Number(/\.(\d+)\.\d+\.cpuprofile$/.exec(file)?.[1] ?? NaN);
const reportProfiles = (name: string, dir: string | undefined, keep: (file: string) => boolean, label: (file: string) => string) => {
  if (dir === undefined) return;
  const found = summarizeDir(dir, 18).filter((p) => keep(p.file));
  for (const p of found) say(`profile ${name}, ${label(p.file)}: ${p.file}\n${p.text}`);
  emit({ variant: name, profiles: found.map((p) => ({ file: p.file, thread: label(p.file), sampledMs: p.totalMs })) });
};

const usPerOp = (cores: number, c: CpuWindow, ops: number) => round(((cores * c.wallS) / ops) * 1e6, 1);

// ---------------------------------------------------------------------------------
const main = async () => {
  const started = performance.now();
  const trace = loadTrace(O.trace);
  const patches = patchesOf(trace);
  const edits = Math.min(O.edits, patches.length);
  const sharedbEdits = Math.min(O.sharedbOps, edits);
  const want = (v: Variant) => O.only.includes(v);
  say(`bench:docs — ${os.cpus().length} cores, node ${process.version}, trace ${path.basename(O.trace)}: ${patches.length} edits, ${trace.endContent.length} chars at the end; replaying ${edits}`);
  const hostBusy = await hostLoad();
  say(`host: ${hostBusy} cores busy before start${hostBusy > 0.3 ? ' — other work is running; rates will be noisy, CPU per op less so' : ''}`);

  // ---- pipeline (and on ShareDB's prefix, when that is shorter)
  const pipeline = async (n: number, tag: string): Promise<PipelineResult> => {
    say(`pipeline: ${n} edits in process, window ${O.pipelineWindow} …`);
    const dir = profileDir(`pipeline${tag}`);
    const db = await store.fresh(tmp, `pipeline${tag}`);
    const r = await runChild<PipelineResult>(
      'variant.js',
      { variant: 'pipeline', trace: O.trace, edits: n, window: O.pipelineWindow, warmup: O.warmup, db, profile: dir === undefined ? undefined : path.join(dir, 'window-main.cpuprofile') },
      { execArgv: cpuProfArgs(dir) },
    ).finally(() => store.remove(db));
    emit({ ...r });
    say(`  ${fmt(r.opsPerSec)} ops/s, ${r.batches.count} batches of ${r.batches.meanSize} on average; document checked (pipeline and store)`);
    // The main thread's window profile; the writer thread's covers its whole (short) life.
    reportProfiles(`pipeline${tag}`, dir, (f) => f.endsWith('window-main.cpuprofile') || threadOf(f) > 0, (f) => (f.endsWith('window-main.cpuprofile') ? 'main thread, measured window' : 'writer thread'));
    rows.push({
      label: `pipeline: in process, persisted, 1 editor, window ${O.pipelineWindow}${tag === '' ? '' : ', same edits as ShareDB'}`,
      edits: r.edits,
      opsPerSec: r.opsPerSec,
      mainUsPerOp: usPerOp(r.cpu.mainThread, r.cpu, r.edits),
      writerUsPerOp: usPerOp(r.cpu.writerThread, r.cpu, r.edits),
      processUsPerOp: usPerOp(r.cpu.process, r.cpu, r.edits),
      rssMB: r.memory.processPeakRssMB,
      ackP50Ms: NaN,
      checked: 'pipeline + store = text',
      target: '≥ 100k ops/s',
    });
    return r;
  };
  let full: PipelineResult | undefined;
  if (want('pipeline')) full = await pipeline(edits, '');

  // ---- ShareDB
  let share: ShareDbResult | undefined;
  if (want('sharedb')) {
    say(`sharedb: ${sharedbEdits} edits, in-memory backend, one client awaiting each op, at most ${O.sharedbSeconds} s …`);
    const dir = profileDir('sharedb');
    share = await runChild<ShareDbResult>(
      'variant.js',
      { variant: 'sharedb', trace: O.trace, edits: sharedbEdits, warmup: O.warmup, maxMs: O.sharedbSeconds * 1000, progressMs: O.jsonOnly ? 0 : 15_000 },
      { execArgv: cpuProfArgs(dir) },
    );
    emit({ ...share });
    say(`  ${fmt(share.opsPerSec)} ops/s over ${share.edits} edits${share.cutByTime ? ` (stopped by --sharedb-seconds ${O.sharedbSeconds})` : ''}; by tenth of the edits: ${share.opsPerSecByTenth.map(fmt).join(', ')}; snapshot checked`);
    reportProfiles('sharedb', dir, (f) => threadOf(f) === 0, () => 'main thread');
    rows.push({
      label: `sharedb: in process, in memory, 1 client awaiting each op${share.cutByTime ? ', cut by time' : ''}`,
      edits: share.edits,
      opsPerSec: share.opsPerSec,
      mainUsPerOp: usPerOp(share.cpu.mainThread, share.cpu, share.edits),
      writerUsPerOp: NaN,
      processUsPerOp: usPerOp(share.cpu.process, share.cpu, share.edits),
      rssMB: share.memory.processPeakRssMB,
      ackP50Ms: NaN,
      checked: 'snapshot = text',
      target: '',
    });
  }
  // Like for like: the pipeline on exactly the edits ShareDB replayed.
  const same = share !== undefined && want('pipeline') && share.edits < edits ? await pipeline(share.edits, `-first-${share.edits}`) : full;

  // The pipeline and ShareDB on the same edits, when both ran.
  const pair = same !== undefined && share !== undefined && same.edits === share.edits ? { rusher: same, sharedb: share } : undefined;
  const ratio = pair ? round(pair.rusher.opsPerSec / pair.sharedb.opsPerSec, 1) : NaN;
  // The same ratio in CPU time (whole process, Rusher's writer thread included): what the
  // rates would be if each had the host to itself.
  const perCpu = (r: { cpu: CpuWindow; edits: number }) => usPerOp(r.cpu.process, r.cpu, r.edits);
  const cpuRatio = pair ? round(perCpu(pair.sharedb) / perCpu(pair.rusher), 1) : NaN;
  if (pair) emit({ variant: 'ratio', rusherPipelineOverShareDb: ratio, perCpuSecond: cpuRatio, edits: pair.sharedb.edits, rusherOpsPerSec: pair.rusher.opsPerSec, sharedbOpsPerSec: pair.sharedb.opsPerSec });

  // ---- websocket
  if (want('websocket')) {
    const expectedFor = (n: number) => textAfter(trace, patches, n);
    const onServer = async <R extends ChainResult | ParallelResult>(name: string, command: (s: Server) => ClientCommand, docsOf: (r: R) => readonly string[], text: string) => {
      const dir = profileDir(name);
      const server = await startServer({ main: O.rusherMain, dir: tmp, name, db: await store.fresh(tmp, name), profileDir: dir, track });
      let r: R;
      let rss: { peakMB: number; endMB: number };
      try {
        r = await runChild<R>('ws-client.js', command(server), { nice: O.clientNice });
        rss = { peakMB: peakRssMB(server.pid), endMB: rssMB(server.pid) };
      } finally {
        const exit = await stopServer(server);
        if (exit !== 0) say(`  ! the server exited with ${exit}; log tail:\n${fs.readFileSync(server.log, 'utf8').slice(-1500)}`);
      }
      const check = await checkStore(server.db, new Map(docsOf(r).map((d) => [d, text]))).finally(() => store.remove(server.db));
      if (!check.ok) throw new Error(`${name}: the store does not hold the trace's text: ${check.problems.join('; ')}`);
      reportProfiles(name, dir, (f) => threadOf(f) <= 1, (f) => (threadOf(f) === 0 ? 'server main thread (whole run)' : 'server writer thread'));
      return { ...r, serverRssMB: rss, store: check };
    };

    const chain = async (n: number, block: number) => {
      const name = `websocket-chain-${block === 1 ? 'strict' : `block-${block}`}`;
      say(`${name}: ${O.clients} editors on one document, ${n} edits dealt ${block === 1 ? 'round-robin one at a time' : `in turns of ${block}`} …`);
      const r = await onServer<ChainResult>(
        name,
        (s) => ({ variant: 'chain', port: s.port, serverPid: s.pid, serverThreads: s.threads, trace: O.trace, edits: n, clients: O.clients, block, client: O.client }),
        (x) => [x.doc],
        expectedFor(n),
      );
      emit({ ...r });
      say(`  ${fmt(r.opsPerSec)} edits/s as ${r.serverOps} server ops, ack p50 ${r.ackLatencyMs.p50} ms; every editor, the server and the store hold the text`);
      rows.push({
        label: `websocket chain: ${O.clients} editors, 1 doc, ${block === 1 ? 'strict round-robin' : `turns of ${block} edits (${r.serverOps} ops)`}`,
        edits: r.edits,
        opsPerSec: r.opsPerSec,
        mainUsPerOp: usPerOp(r.serverCpu.mainThread, r.serverCpu, r.serverOps),
        writerUsPerOp: usPerOp(r.serverCpu.writerThread, r.serverCpu, r.serverOps),
        processUsPerOp: usPerOp(r.serverCpu.process, r.serverCpu, r.serverOps),
        rssMB: r.serverRssMB.peakMB,
        ackP50Ms: r.ackLatencyMs.p50,
        checked: 'editors + server + store = text',
        target: 'latency-bound',
      });
    };
    if (O.strictEdits > 0) await chain(Math.min(O.strictEdits, edits), 1);
    await chain(edits, O.block);

    say(`websocket-parallel: ${O.docs} documents × ${edits} edits, window ${O.window} each …`);
    const p = await onServer<ParallelResult>(
      'websocket-parallel',
      (s) => ({ variant: 'parallel', port: s.port, serverPid: s.pid, serverThreads: s.threads, trace: O.trace, edits, docs: O.docs, window: O.window, client: O.client }),
      (x) => x.docIds,
      expectedFor(edits),
    );
    emit({ ...p });
    say(`  ${fmt(p.opsPerSec)} ops/s, ack p50 ${p.ackLatencyMs.p50} ms; every document (server and store) holds the text`);
    rows.push({
      label: `websocket parallel: ${O.docs} docs × 1 socket, window ${O.window}`,
      edits: p.editsPerDoc * p.docs,
      opsPerSec: p.opsPerSec,
      mainUsPerOp: usPerOp(p.serverCpu.mainThread, p.serverCpu, p.editsPerDoc * p.docs),
      writerUsPerOp: usPerOp(p.serverCpu.writerThread, p.serverCpu, p.editsPerDoc * p.docs),
      processUsPerOp: usPerOp(p.serverCpu.process, p.serverCpu, p.editsPerDoc * p.docs),
      rssMB: p.serverRssMB.peakMB,
      ackP50Ms: p.ackLatencyMs.p50,
      checked: 'server + store = text',
      target: '',
    });
  }

  // ---- summary
  if (pair) {
    const n = pair.sharedb.edits;
    const ratioRow = (label: string, value: number): Row => ({ label, edits: n, opsPerSec: value, mainUsPerOp: NaN, writerUsPerOp: NaN, processUsPerOp: NaN, rssMB: NaN, ackP50Ms: NaN, checked: '', target: '≥ 30×' });
    rows.push(ratioRow(`ratio: Rusher pipeline / ShareDB, ops/s, ${n === patches.length ? 'whole trace' : `first ${n} edits`}`, ratio));
    rows.push(ratioRow('ratio: the same per CPU-second (whole process)', cpuRatio));
  }
  const seconds = round((performance.now() - started) / 1000, 1);
  emit({ summary: rows, ratio, cpuRatio, sharedbEdits: share?.edits, traceEdits: patches.length, hostBusyBeforeStart: hostBusy, options: { ...O, edits, sharedbOps: sharedbEdits }, seconds });
  if (!O.jsonOnly) {
    process.stdout.write(`\n${table(rows)}\n`);
    if (share !== undefined) {
      const why = share.cutByTime ? `stopped by --sharedb-seconds ${O.sharedbSeconds}` : '--sharedb-ops';
      process.stdout.write(`ShareDB replayed ${share.edits} of the trace's ${patches.length} edits${share.edits < patches.length ? ` (${why}); the ratio compares the pipeline on the same ${share.edits}` : ''}.\n`);
    }
    process.stdout.write(`(the ratio row's ops/s column is the ratio; µs/op is CPU per server op: main thread, and whole process incl. the writer thread)\n\n`);
  }
  if (profileRoot !== undefined) say(`profiles kept in ${profileRoot}`);
  await store.close();
  say(`done in ${seconds} s`);
};

run(main);
