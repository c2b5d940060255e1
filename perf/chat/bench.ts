// The chat benchmark: Rusher against a minimal `ws` baseline (ws-baseline.ts), same
// workloads, same run, loopback only. Each (scenario, server) pair gets a fresh server
// on a free 127.0.0.1 port and a fresh SQLite file, and fresh load-client processes
// (load-client.ts, forked).
//   (a) committed msgs/s: N senders, each with W unacked chat.send in flight, for a
//       fixed time; acks/s counted; acked seqs checked gap-free, and against room.history.
//   (b) fan-out: 1,000 members over 2 processes, one sender paced so that no receiver
//       falls more than a bounded number of messages behind; deliveries/s measured on
//       the receivers.
//   (c) ack latency at a fixed 10k msgs/s, open loop, from the scheduled send time.
// Prints one JSON line per result (stdout), progress on stderr, then a summary table
// with Rusher/baseline ratios.
//
//   npm run bench:chat -- [options]
//     --duration S (8)  --warmup S (1)  --only a,b,c  --servers rusher,baseline  --repeat N (1)
//     --procs N (2)  --client raw|ws (raw)  --client-nice N (10)  --text-bytes N (64)
//     (a) --senders N (32) --window W (64) --rooms N (0 = a room per sender)
//     (b) --members N (1000) --fan-senders N (1) --fan-window W (128) --delivery-window N (512)
//     (c) --rate N (10000) --lat-sockets N (16)
//     --baseline-persist 0|1 (1)  --profile [rusher|baseline|both]  --out FILE.json
//     --servers rusher,cluster --workers N (2): Rusher alone against N workers and a Redis
//     --syscalls (count the server's syscalls per unit of work with `perf stat`)
//     --json-only  --max-seconds S (300)  --rusher-main PATH (dist/src/main.js)
//     --server-node-args "FLAGS" (for both servers)
import { ChildProcess, spawn } from 'child_process';
import fs from 'fs';
import http from 'http';
import net from 'net';
import os from 'os';
import path from 'path';
import { performance } from 'perf_hooks';
import WebSocket from 'ws';
import { argsOf } from '../common/args';
import { fmt, percentiles, round } from '../common/figures';
import { startHarness } from '../common/harness';
import { LoadProcess } from '../common/load-process';
import { cpuSeconds, hostLoad, machineStat, schedStat, statusKB } from '../common/proc';
import { LOAD_TEST_ENV, freePort, removeDb } from '../common/server';
import { BENCH_SECRET, benchToken } from '../common/tokens';
import type { Command, SendResult, SocketSpec } from './load-client';
import { format as formatProfile, summarize } from './profile-top';

// ---------------------------------------------------------------------------------
// options
const { opt, num } = argsOf(process.argv.slice(2));

const O = {
  durationMs: num('duration', 8) * 1000,
  warmupMs: num('warmup', 1) * 1000,
  drainMs: 5000,
  client: opt('client', 'raw') as 'raw' | 'ws',
  scenarios: opt('only', 'a,b,c').split(','),
  servers: opt('servers', 'rusher,baseline').split(',') as ServerKind[],
  procs: num('procs', 2),
  // (a)
  senders: num('senders', 32),
  window: num('window', 64),
  rooms: num('rooms', 0), // 0: one room per sender
  // (b)
  members: num('members', 1000),
  fanSenders: num('fan-senders', 1),
  fanWindow: num('fan-window', 128),
  deliveryWindow: num('delivery-window', 512),
  // (c)
  rate: num('rate', 10_000),
  latSockets: num('lat-sockets', 16),
  textBytes: num('text-bytes', 64),
  baselinePersist: opt('baseline-persist', '1') !== '0',
  // --servers …,cluster: Rusher with this many workers (and a Redis).
  workers: num('workers', 2),
  profile: opt('profile', 'false'),
  jsonOnly: opt('json-only', 'false') === 'true',
  maxSeconds: num('max-seconds', 300),
  // Load clients run at a lower priority so that on a small shared host the server
  // gets a core when it wants one (in production the clients are elsewhere).
  clientNice: num('client-nice', 10),
  repeat: Math.max(1, num('repeat', 1)),
  // Count the server's syscalls in the window with `perf stat` (Linux perf, if installed).
  syscalls: opt('syscalls', 'false') === 'true',
  out: opt('out', ''),
};
// `cluster` is Rusher with --workers N worker processes and a Redis, for 1-vs-N comparisons.
/** `auth`: Rusher with token auth on, each socket with a token whose claims it checks. */
type ServerKind = 'rusher' | 'baseline' | 'cluster' | 'auth';

const here = __dirname; // dist/perf/chat
const root = path.resolve(here, '../../..');
// --rusher-main: another build of the server (a branch, an experiment) in its place.
const rusherMain = path.resolve(opt('rusher-main', path.resolve(here, '../../src/main.js')));
// --server-node-args "--max-semi-space-size=64": extra node flags for both servers.
const serverNodeArgs = opt('server-node-args', '').split(' ').filter(Boolean);
const baselineMain = path.join(here, 'ws-baseline.js');
const loadClient = path.join(here, 'load-client.js');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rusher-bench-chat-'));
const profileDir = path.join(os.tmpdir(), `rusher-chat-profiles-${Date.now()}`);
const { say, emit, track, run } = startHarness({ bench: 'chat', jsonOnly: O.jsonOnly, maxSeconds: O.maxSeconds, tmp });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------
// servers
const healthy = (port: number) =>
  new Promise<boolean>((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });

/** A process and its descendants (a cluster's primary and its workers). */
const processTree = (pid: number): number[] => {
  let kids: number[] = [];
  try {
    kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // gone, or no children
  }
  return [pid, ...kids.flatMap(processTree)];
};
/** A figure of each process of a tree (root first), summed: NaN once the root is gone; a descendant gone meanwhile counts 0. */
const treeSum = ([own, ...kids]: readonly number[]) => own + kids.filter(Number.isFinite).reduce((a, x) => a + x, 0);
/** CPU seconds of a process, or of a cluster's processes together. */
const procStat = (root: number) => {
  const each = processTree(root).map((pid) => cpuSeconds(pid));
  return { cpuS: treeSum(each.map((c) => c.cpu)), sysS: treeSum(each.map((c) => c.sys)) };
};
/** Peak RSS of a process, or of a cluster's processes together (each one's own peak, summed). */
const peakRssMB = (root: number) => Math.round(treeSum(processTree(root).map((pid) => statusKB(pid, 'VmHWM'))) / 1024);

interface Server {
  readonly kind: ServerKind;
  readonly port: number;
  readonly proc: ChildProcess;
  readonly db: string;
  readonly log: string;
  /** With --profile: the inspector port; the measured window is profiled through it. */
  readonly inspectPort?: number;
  readonly scenario: string;
}

// One Redis for every cluster run of the bench, started with the first.
let redis: Promise<string> | undefined;
const redisUrl = (): Promise<string> =>
  (redis ??= (async () => {
    const port = await freePort();
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    track(proc);
    for (let i = 0; i < 100; i++) {
      if (await new Promise<boolean>((ok) => net.connect(port, '127.0.0.1').once('connect', function (this: net.Socket) { this.destroy(); ok(true); }).once('error', () => ok(false)))) return `redis://127.0.0.1:${port}`;
      await sleep(100);
    }
    throw new Error('redis-server did not start (it is needed for --servers cluster)');
  })());

const profiled = (kind: ServerKind) => O.profile === 'both' || ((O.profile === 'true' || O.profile === 'rusher') && kind === 'rusher') || O.profile === kind;

const startServer = async (kind: ServerKind, scenario: string): Promise<Server> => {
  const port = await freePort();
  const db = path.join(tmp, `${kind}-${scenario}.db`);
  const log = path.join(tmp, `${kind}-${scenario}.log`);
  const fd = fs.openSync(log, 'w');
  const inspectPort = profiled(kind) ? await freePort() : undefined;
  const prof = inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : [];
  const rusherEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', RUSHER_DB: db, ...LOAD_TEST_ENV, LOG_LEVEL: 'warn' };
  const env =
    kind === 'rusher' ? rusherEnv
    : kind === 'auth' ? { ...rusherEnv, RUSHER_JWT_SECRET: BENCH_SECRET }
    : kind === 'cluster' ? { ...rusherEnv, RUSHER_WORKERS: String(O.workers), RUSHER_REDIS_URL: await redisUrl() }
    : { ...process.env, PORT: String(port), HOST: '127.0.0.1', BASELINE_DB: O.baselinePersist ? db : '' };
  const proc = spawn(process.execPath, [...serverNodeArgs, ...prof, kind === 'baseline' ? baselineMain : rusherMain], { cwd: root, env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  track(proc);
  const until = performance.now() + 15_000;
  while (performance.now() < until) {
    if (proc.exitCode !== null) break;
    if (await healthy(port)) return { kind, port, proc, db, log, inspectPort, scenario };
    await sleep(100);
  }
  proc.kill('SIGKILL');
  throw new Error(`${kind} did not come up on port ${port}:\n${fs.readFileSync(log, 'utf8').slice(-2000)}`);
};

const stopServer = async (s: Server) => {
  const exited = new Promise<number | null>((resolve) => {
    if (s.proc.exitCode !== null) resolve(s.proc.exitCode);
    else s.proc.on('exit', (code) => resolve(code));
  });
  s.proc.kill('SIGTERM');
  const code = await Promise.race([exited, sleep(15_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') s.proc.kill('SIGKILL');
  removeDb(s);
  if (code !== 0) say(`  ! ${s.kind} exited with ${code}; log tail:\n${fs.readFileSync(s.log, 'utf8').slice(-1500)}`);
  return code;
};

// ---------------------------------------------------------------------------------
// load-client processes
type Worker = LoadProcess<Command>;
const workers = async (prefix: string, n: number) => Promise.all(Array.from({ length: n }, (_, i) => LoadProcess.start<Command>(`${prefix}${i}`, loadClient, O.clientNice, track)));
const stopAll = (ws: Worker[]) => Promise.all(ws.map((w) => w.stop()));

// With token auth on, each socket gets a token whose rooms claim holds the bench's rooms
// (a-*, c-*, fan) after patterns that do not match, as an app's would: the server checks
// them on every frame. (The history check reads every room from one socket.)
const BENCH_ROOMS = ['archive.*', 'ops-*', 'a-*', 'c-*', 'fan'];
const withTokens = async (server: Server, sockets: SocketSpec[]): Promise<SocketSpec[]> =>
  server.kind !== 'auth' ? sockets : Promise.all(sockets.map(async (s) => ({ ...s, token: await benchToken(s.user, { rooms: BENCH_ROOMS }) })));

const connectAll = async (server: Server, groups: [Worker, SocketSpec[], number][]) => {
  const t0 = performance.now();
  const port = server.port;
  for (const [w, sockets, checkOrder] of groups) w.send({ cmd: 'connect', port, client: O.client, sockets: await withTokens(server, sockets), concurrency: 50, checkOrder });
  await Promise.all(groups.map(([w, sockets]) => w.next('connected', 30_000 + sockets.length * 50)));
  return performance.now() - t0;
};

// ---------------------------------------------------------------------------------
// statistics
const gapCheck = (seqsByRoom: Record<string, Int32Array>[]) => {
  const rooms = new Map<string, Int32Array[]>();
  for (const r of seqsByRoom) for (const [room, seqs] of Object.entries(r)) rooms.set(room, [...(rooms.get(room) ?? []), seqs]);
  const problems: string[] = [];
  const maxByRoom: Record<string, number> = {};
  let checked = 0;
  for (const [room, parts] of rooms) {
    const n = parts.reduce((a, p) => a + p.length, 0);
    const all = new Int32Array(n);
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    all.sort();
    checked += n;
    maxByRoom[room] = n ? all[n - 1] : 0;
    for (let i = 0; i < n; i++) {
      if (all[i] !== i + 1) {
        problems.push(`${room}: acked seq #${i + 1} is ${all[i]} (${i > 0 && all[i] === all[i - 1] ? 'duplicate' : 'gap'})`);
        break;
      }
    }
  }
  return { rooms: rooms.size, acks: checked, gapFree: problems.length === 0, problems: problems.slice(0, 5), maxByRoom };
};

// CPU profile of the measured window only (not start-up, connects or joins), taken
// through the server's inspector (loopback) with the Profiler domain.
const profileWindow = async (s: Server) => {
  const list = await new Promise<{ webSocketDebuggerUrl: string }[]>((resolve, reject) =>
    http
      .get({ host: '127.0.0.1', port: s.inspectPort, path: '/json/list' }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(JSON.parse(body)));
      })
      .on('error', reject),
  );
  const ws = new WebSocket(list[0].webSocketDebuggerUrl, { perMessageDeflate: false });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let id = 0;
  const replies = new Map<number, (r: { result?: unknown; error?: unknown }) => void>();
  ws.on('message', (d: Buffer) => {
    const m = JSON.parse(d.toString()) as { id?: number; result?: unknown; error?: unknown };
    if (m.id !== undefined) replies.get(m.id)?.(m);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const n = ++id;
      replies.set(n, (r) => (r.error ? reject(new Error(`${method}: ${JSON.stringify(r.error)}`)) : resolve(r.result)));
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 500 });
  await call('Profiler.start');
  return async (): Promise<string> => {
    const { profile } = (await call('Profiler.stop')) as { profile: unknown };
    ws.close();
    fs.mkdirSync(profileDir, { recursive: true });
    const file = path.join(profileDir, `${s.kind}-${s.scenario}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    return file;
  };
};
const profiles: string[] = [];

const SYSCALLS = ['raw_syscalls:sys_enter', 'syscalls:sys_enter_sendto', 'syscalls:sys_enter_pwrite64', 'syscalls:sys_enter_fsync', 'syscalls:sys_enter_recvfrom'];
const countSyscalls = (pid: number, ms: number) =>
  new Promise<Record<string, number> | undefined>((resolve) => {
    const p = spawn('perf', ['stat', '-x,', '-e', SYSCALLS.join(','), '-p', String(pid), '--', 'sleep', String(ms / 1000)], { stdio: ['ignore', 'ignore', 'pipe'] });
    track(p);
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', () => resolve(undefined));
    p.on('exit', () => {
      const counts: Record<string, number> = {};
      for (const line of err.split('\n')) {
        const [n, , name] = line.split(',');
        if (name && /^\d+$/.test(n)) counts[name.replace(/^(raw_)?syscalls:sys_enter_?/, '') || 'all'] = Number(n);
      }
      resolve(Object.keys(counts).length ? counts : undefined);
    });
  });

// CPU during the measured window: the server (all processes and threads), its main
// thread (run time and time spent runnable but waiting for a core), and the whole
// machine — the host is shared, so `otherCpu` (machine minus this bench) says how clean a
// run was.
interface ServerCpu {
  secs: number;
  syscalls?: Record<string, number>;
  serverCpu: number;
  serverKernelCpu: number;
  serverMainThread: number;
  serverRunqueueWait: number;
  machineBusy: number;
  softirq: number;
  steal: number;
}
const cpuDuring = async (s: Server, fromMs: number, ms: number): Promise<ServerCpu> => {
  await sleep(fromMs);
  const pid = s.proc.pid as number;
  const snapshot = () => {
    const p = procStat(pid);
    return { p: p.cpuS, sys: p.sysS, t: schedStat(pid), m: machineStat(), at: performance.now() };
  };
  const a = snapshot();
  const stopProfile = s.inspectPort ? await profileWindow(s).catch((e) => void say(`  ! profiling failed: ${(e as Error).message}`)) : undefined;
  const syscalls = O.syscalls ? countSyscalls(pid, ms - (performance.now() - a.at)) : undefined;
  await sleep(ms - (performance.now() - a.at));
  const b = snapshot();
  if (stopProfile) profiles.push(await stopProfile());
  const secs = (b.at - a.at) / 1000;
  return {
    secs: round(secs, 3),
    syscalls: await syscalls,
    serverCpu: round((b.p - a.p) / secs, 2),
    /** Of serverCpu, the part spent in the kernel (socket writes, WAL writes). */
    serverKernelCpu: round((b.sys - a.sys) / secs, 2),
    serverMainThread: round((b.t.run - a.t.run) / secs, 2),
    serverRunqueueWait: round((b.t.wait - a.t.wait) / secs, 2),
    machineBusy: round((b.m.busy - a.m.busy) / secs, 2),
    softirq: round((b.m.softirq - a.m.softirq) / secs, 2),
    steal: round((b.m.steal - a.m.steal) / secs, 2),
  };
};
/** Server CPU per unit of work: robust to a busy host, where the rate is not. */
const perUnit = (w: ServerCpu, perSec: number, scale: number) => ({
  mainThread: round((w.serverMainThread / perSec) * scale, 2),
  process: round((w.serverCpu / perSec) * scale, 2),
  ...(w.syscalls ? { syscallsPerUnit: Object.fromEntries(Object.entries(w.syscalls).map(([k, n]) => [k, round(n / (perSec * w.secs), 3)])) } : {}),
});
const cpuReport = (w: ServerCpu, clients: number[]) => ({
  ...w,
  clientCpu: clients.map((c) => round(c, 2)),
  /** Other processes on the host: the machine minus this bench (≈ 0 on a quiet host; loopback
   *  network work is partly charged to processes and partly to softirq, so it can dip below 0). */
  otherCpu: round(w.machineBusy - w.serverCpu - clients.reduce((a, c) => a + c, 0), 2),
});

const errorsOf = (rs: { errors?: unknown; errorSamples?: unknown; closes?: unknown; closeSamples?: unknown }[]) => ({
  errors: rs.reduce((a, r) => a + ((r.errors as number) ?? 0), 0),
  closes: rs.reduce((a, r) => a + ((r.closes as number) ?? 0), 0),
  samples: rs.flatMap((r) => [...((r.errorSamples as string[]) ?? []), ...((r.closeSamples as string[]) ?? [])]).slice(0, 4),
});

// ---------------------------------------------------------------------------------
// (a) committed messages per second with acks
const throughput = async (s: Server) => {
  const P = O.procs;
  const rooms = O.rooms || O.senders;
  const ws = await workers('a', P);
  try {
    const specs: SocketSpec[][] = ws.map(() => []);
    for (let g = 0; g < O.senders; g++) specs[g % P].push({ user: `a${g}`, room: `a-${g % rooms}` });
    const connectMs = await connectAll(s, ws.map((w, i) => [w, specs[i], 0]));
    const cpu = cpuDuring(s, O.warmupMs, O.durationMs);
    for (const w of ws) w.send({ cmd: 'closed', window: O.window, deliveryWindow: 0, warmupMs: O.warmupMs, durationMs: O.durationMs, drainMs: O.drainMs, textBytes: O.textBytes });
    const rs = await Promise.all(ws.map((w) => w.next<SendResult>('sent', O.warmupMs + O.durationMs + O.drainMs + 15_000)));
    const serverCpu = await cpu;
    const acksPerSec = rs.reduce((a, r) => a + r.windowAcks / (r.windowMs / 1000), 0);
    const seq = gapCheck(rs.map((r) => r.seqsByRoom));
    // The store's view: the newest 200 of each room (up to 64 rooms) must be gap-free
    // and reach at least the highest acked seq.
    const checkRooms = Object.keys(seq.maxByRoom).slice(0, 64);
    ws[0].send({ cmd: 'history', rooms: checkRooms, limit: 200 });
    const h = await ws[0].next<{ rooms: Record<string, number[]> }>('history', 30_000);
    const historyProblems: string[] = [];
    for (const room of checkRooms) {
      const seqs = h.rooms[room] ?? [];
      const last = seqs[seqs.length - 1] ?? 0;
      if (last < seq.maxByRoom[room]) historyProblems.push(`${room}: history ends at ${last}, acked up to ${seq.maxByRoom[room]}`);
      for (let i = 1; i < seqs.length; i++)
        if (seqs[i] !== seqs[i - 1] + 1) {
          historyProblems.push(`${room}: history gap ${seqs[i - 1]} → ${seqs[i]}`);
          break;
        }
    }
    const lat = percentiles(rs.map((r) => r.latencies), 3);
    return {
      scenario: 'a_committed',
      metric: 'acks_per_s',
      value: Math.round(acksPerSec),
      senders: O.senders,
      rooms,
      window: O.window,
      processes: P,
      durationS: O.durationMs / 1000,
      connectMs: Math.round(connectMs),
      sent: rs.reduce((a, r) => a + r.sent, 0),
      acked: rs.reduce((a, r) => a + r.acked, 0),
      unacked: rs.reduce((a, r) => a + r.unacked, 0),
      refMismatches: rs.reduce((a, r) => a + r.refMismatches, 0),
      ackLatencyMs: { p50: lat.p50, p99: lat.p99, max: lat.max },
      seqCheck: { rooms: seq.rooms, acks: seq.acks, gapFree: seq.gapFree, problems: seq.problems },
      historyCheck: { rooms: checkRooms.length, ok: historyProblems.length === 0, problems: historyProblems.slice(0, 5) },
      cpu: cpuReport(serverCpu, rs.map((r) => r.cpuMs / O.durationMs)),
      serverCpuPerMsgUs: perUnit(serverCpu, acksPerSec, 1e6),
      ...errorsOf(rs as unknown as Record<string, unknown>[]),
    };
  } finally {
    await stopAll(ws);
  }
};

// (b) fan-out deliveries per second in a room of `members` receivers
const fanout = async (s: Server) => {
  const P = O.procs;
  const receivers = await workers('r', P);
  const [sender] = await workers('s', 1);
  try {
    const specs: SocketSpec[][] = receivers.map(() => []);
    for (let g = 0; g < O.members; g++) specs[g % P].push({ user: `m${g}`, room: 'fan' });
    const connectMs = await connectAll(s, receivers.map((w, i) => [w, specs[i], 2]));
    await connectAll(s, [[sender, Array.from({ length: O.fanSenders }, (_, i) => ({ user: `sender${i}`, room: 'fan' })), 0]]);
    await sleep(500); // let the presence.join burst of the joins drain
    // Fan-out flow control: the sender may run `deliveryWindow` messages ahead of the
    // slowest receiver socket, so server buffers stay bounded and the rate measured is
    // the one every receiver actually sustains.
    const mins = receivers.map(() => 0);
    receivers.forEach((w, i) => {
      w.on('progress', (m) => {
        mins[i] = m.min as number;
        sender.send({ cmd: 'progress', min: Math.min(...mins) });
      });
      w.send({ cmd: 'report-progress', everyMs: 5 });
    });
    const cpu = cpuDuring(s, O.warmupMs, O.durationMs);
    sender.send({ cmd: 'closed', window: O.fanWindow, deliveryWindow: O.deliveryWindow, warmupMs: O.warmupMs, durationMs: O.durationMs, drainMs: O.drainMs, textBytes: O.textBytes });
    await sleep(O.warmupMs);
    for (const w of receivers) w.send({ cmd: 'count-start' });
    await sleep(O.durationMs);
    for (const w of receivers) w.send({ cmd: 'count-stop' });
    const counted = await Promise.all(receivers.map((w) => w.next<Record<string, number> & { errorSamples: string[]; closeSamples: string[] }>('counted', 15_000)));
    const sent = await sender.next<SendResult>('sent', O.drainMs + 15_000);
    const serverCpu = await cpu;
    const deliveries = counted.reduce((a, c) => a + c.frames / (c.ms / 1000), 0);
    const msgsPerSec = sent.windowAcks / (sent.windowMs / 1000);
    const lat = percentiles([sent.latencies], 3);
    return {
      scenario: 'b_fanout',
      metric: 'deliveries_per_s',
      value: Math.round(deliveries),
      members: O.members,
      receiverProcesses: P,
      senders: O.fanSenders,
      ackWindow: O.fanWindow,
      deliveryWindow: O.deliveryWindow,
      durationS: O.durationMs / 1000,
      connectMs: Math.round(connectMs),
      msgsPerSec: Math.round(msgsPerSec),
      expectedDeliveriesPerSec: Math.round(msgsPerSec * O.members),
      ackLatencyMs: { p50: lat.p50, p99: lat.p99 },
      orderGaps: counted.reduce((a, c) => a + c.orderGaps, 0),
      seqCheck: gapCheck([sent.seqsByRoom]).gapFree,
      cpu: cpuReport(serverCpu, [...counted.map((c) => c.cpuMs / c.ms), sent.cpuMs / O.durationMs]),
      serverCpuPerDeliveryNs: perUnit(serverCpu, deliveries, 1e9),
      ...errorsOf([...counted, sent] as unknown as Record<string, unknown>[]),
    };
  } finally {
    await stopAll([...receivers, sender]);
  }
};

// (c) ack latency at a fixed rate, open loop
const latency = async (s: Server) => {
  const P = O.procs;
  const ws = await workers('c', P);
  try {
    const specs: SocketSpec[][] = ws.map(() => []);
    for (let g = 0; g < O.latSockets; g++) specs[g % P].push({ user: `c${g}`, room: `c-${g}` });
    await connectAll(s, ws.map((w, i) => [w, specs[i], 0]));
    const cpu = cpuDuring(s, O.warmupMs + 5, O.durationMs);
    for (const w of ws) w.send({ cmd: 'open', rate: O.rate / P, warmupMs: O.warmupMs, durationMs: O.durationMs, drainMs: O.drainMs, textBytes: O.textBytes });
    const rs = await Promise.all(ws.map((w) => w.next<SendResult>('sent', O.warmupMs + O.durationMs + O.drainMs + 15_000)));
    const serverCpu = await cpu;
    const lat = percentiles(rs.map((r) => r.latencies), 3);
    const service = percentiles(rs.map((r) => r.serviceLatencies), 3);
    const planned = Math.round((O.rate * O.durationMs) / 1000);
    return {
      scenario: 'c_latency',
      metric: 'ack_latency_ms',
      rate: O.rate,
      sockets: O.latSockets,
      durationS: O.durationMs / 1000,
      value: lat.p99,
      p50: lat.p50,
      p90: lat.p90,
      p99: lat.p99,
      p999: lat.p999,
      max: lat.max,
      fromActualSend: { p50: service.p50, p99: service.p99 },
      maxSchedulerLagMs: round(Math.max(...rs.map((r) => r.maxLateMs)), 2),
      planned,
      ackedInWindow: lat.n,
      achievedPerSec: Math.round(lat.n / (O.durationMs / 1000)),
      unacked: rs.reduce((a, r) => a + r.unacked, 0),
      seqCheck: gapCheck(rs.map((r) => r.seqsByRoom)).gapFree,
      cpu: cpuReport(serverCpu, rs.map((r) => r.cpuMs / O.durationMs)),
      serverCpuPerMsgUs: perUnit(serverCpu, lat.n / (O.durationMs / 1000), 1e6),
      ...errorsOf(rs as unknown as Record<string, unknown>[]),
    };
  } finally {
    await stopAll(ws);
  }
};

// ---------------------------------------------------------------------------------
const scenarios: Record<string, { name: string; run: (s: Server) => Promise<Record<string, unknown> & { value: number }> }> = {
  a: { name: 'committed msgs/s', run: throughput },
  b: { name: 'fan-out deliveries/s', run: fanout },
  c: { name: 'ack latency @ fixed rate', run: latency },
};

const main = async () => {
  const started = performance.now();
  say(`bench:chat — ${os.cpus().length} cores, node ${process.version}, client ${O.client}, ${O.durationMs / 1000} s per measurement, baseline ${O.baselinePersist ? 'persisting (better-sqlite3, group commit per loop turn)' : 'in memory'}`);
  const hostBusy = await hostLoad();
  say(`host: ${hostBusy} cores busy before start${hostBusy > 0.3 ? ' — other work is running; numbers will be noisy (see otherCpu per result)' : ''}`);
  type Result = Record<string, unknown> & { value: number };
  const results: Record<string, Record<ServerKind, Result | undefined>> = {};
  for (const sc of O.scenarios) {
    const def = scenarios[sc];
    if (!def) throw new Error(`unknown scenario ${sc} (a, b, c)`);
    results[sc] = { rusher: undefined, baseline: undefined, cluster: undefined, auth: undefined };
    const runs: Record<ServerKind, Result[]> = { rusher: [], baseline: [], cluster: [], auth: [] };
    // With --repeat, servers alternate run by run so that drift on the host hits both.
    for (let i = 0; i < O.repeat; i++) {
      for (const kind of O.servers) {
        say(`(${sc}) ${def.name} — ${kind}${O.repeat > 1 ? ` run ${i + 1}/${O.repeat}` : ''} …`);
        const server = await startServer(kind, sc);
        let r: Result | undefined;
        try {
          r = await def.run(server);
        } catch (e) {
          say(`  ! ${(e as Error).message}`);
          emit({ server: kind, scenario: sc, error: (e as Error).message });
        }
        const rss = peakRssMB(server.proc.pid as number);
        const exit = await stopServer(server);
        if (r) {
          r = { ...r, serverPeakRssMB: rss, serverExit: exit };
          runs[kind].push(r);
          emit({ server: kind, client: O.client, run: i + 1, ...r });
        }
      }
    }
    // The median run (by the scenario's headline value) stands for the server.
    for (const kind of O.servers) {
      const sorted = [...runs[kind]].sort((x, y) => x.value - y.value);
      const median = sorted[Math.floor((sorted.length - 1) / 2)];
      if (median) results[sc][kind] = O.repeat > 1 ? { ...median, values: runs[kind].map((r) => r.value) } : median;
    }
  }

  // summary
  const row = (label: string, sc: string, pick: (r: Record<string, unknown> & { value: number }) => number, target: string, better: 'higher' | 'lower') => {
    const value = (kind: ServerKind) => {
      const r = results[sc]?.[kind];
      return r ? pick(r) : NaN;
    };
    const [ra, rb, rc, rt] = [value('rusher'), value('baseline'), value('cluster'), value('auth')];
    const ratio = (x: number, y: number) => (Number.isFinite(x / y) ? round(x / y, 2) : NaN);
    return { label, rusher: ra, baseline: rb, ratio: ratio(ra, rb), cluster: rc, clusterRatio: ratio(rc, ra), auth: rt, authRatio: ratio(rt, ra), target, better };
  };
  const rows = [
    row('(a) committed msgs/s (acked)', 'a', (r) => r.value, '≥ 100k', 'higher'),
    row(`(b) deliveries/s, ${O.members}-member room`, 'b', (r) => r.value, '≥ 2M, ≥ 10× baseline', 'higher'),
    row(`(c) ack p50 ms @ ${fmt(O.rate)}/s`, 'c', (r) => r.p50 as number, '', 'lower'),
    row(`(c) ack p99 ms @ ${fmt(O.rate)}/s`, 'c', (r) => r.p99 as number, '< 10 ms', 'lower'),
    row('(a) server CPU µs per committed msg', 'a', (r) => (r.serverCpuPerMsgUs as { process: number }).process, '', 'lower'),
    row('(b) server CPU ns per delivery', 'b', (r) => (r.serverCpuPerDeliveryNs as { process: number }).process, '', 'lower'),
    row(`(c) server CPU µs per msg @ ${fmt(O.rate)}/s`, 'c', (r) => (r.serverCpuPerMsgUs as { process: number }).process, '', 'lower'),
  ];
  const other = (sc: string, kind: ServerKind) => (results[sc]?.[kind]?.cpu as { otherCpu?: number } | undefined)?.otherCpu;
  emit({
    summary: rows,
    client: O.client,
    baselinePersist: O.baselinePersist,
    repeat: O.repeat,
    hostBusyBeforeStart: hostBusy,
    otherCpuDuringRuns: Object.fromEntries(O.scenarios.map((sc) => [sc, { rusher: other(sc, 'rusher'), baseline: other(sc, 'baseline') }])),
    seconds: round((performance.now() - started) / 1000, 1),
  });
  if (!O.jsonOnly) {
    const clustered = O.servers.includes('cluster');
    const authed = O.servers.includes('auth');
    const w = [40, 12, 12, 17, ...(clustered ? [14, 17] : []), ...(authed ? [12, 12] : []), 22];
    const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join(' ');
    const lower = (r: (typeof rows)[number]) => (r.better === 'lower' ? ' (lower=better)' : '');
    const out = [
      '',
      line(['metric', 'rusher', 'ws baseline', 'rusher/baseline', ...(clustered ? [`${O.workers} workers`, `workers/rusher`] : []), ...(authed ? ['auth on', 'on/off'] : []), 'target']),
      line(w.map((n) => '-'.repeat(n))),
      ...rows.map((r) => line([r.label, fmt(r.rusher), fmt(r.baseline), `${fmt(r.ratio)}×${lower(r)}`, ...(clustered ? [fmt(r.cluster), `${fmt(r.clusterRatio)}×`] : []), ...(authed ? [fmt(r.auth), `${fmt(r.authRatio)}×`] : []), r.target])),
      '',
    ];
    process.stdout.write(out.join('\n') + '\n');
  }
  if (O.out) fs.writeFileSync(O.out, JSON.stringify({ options: O, results, summary: rows }, null, 2));
  for (const p of profiles) {
    say(`profile ${p}`);
    say(formatProfile(summarize(p, 20)));
  }
  say(`done in ${round((performance.now() - started) / 1000, 1)} s`);
};

run(main);
