// Runs the Tsung scenario (scenario.xml) against a Rusher cluster it starts on this
// machine: Redis, the server with enough workers for the connections, Tsung with
// enough client VMs and loopback source addresses; samples the server's memory, CPU and
// held connections while it runs; reads Tsung's own log for what it counted; prints
// one JSON line and a summary. Everything it starts, it stops.
//
//   npm run bench:tsung -- [--users 20000] [--rate 500] [--hold 60] [--chatters 10]
//       [--heartbeat 60] [--workers N] [--vms N] [--port P] [--keep-logs]
import { ChildProcess, execFileSync, spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { LOAD_TEST_ENV } from '../common/server';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a number`);
  return v;
};
const flag = (name: string) => process.argv.includes(`--${name}`);

// One process holds at most ~19,000 sockets here (20,000 files, less the process's own).
const PER_PROCESS = 15_000;
const users = arg('users', 20_000);
// 500 arrivals a second: at 1,000 the workers' accept queues (uSockets' backlog of 512)
// overflowed while 17 Tsung VMs shared two cores.
const rate = arg('rate', 500);
const hold = arg('hold', 60);
const chatters = Math.min(users, arg('chatters', 10));
// The server's heartbeat (RUSHER_HEARTBEAT): a socket silent for twice it is closed. Idle
// users ping at 5/6 of that idle limit (5/3 of the heartbeat), a margin for a loaded host;
// each ping is a frame the server and Tsung handle, so at 250k users a short heartbeat is
// most of the load.
const heartbeat = arg('heartbeat', 60);
const pingEvery = Math.floor((heartbeat * 5) / 3);
const workers = arg('workers', Math.max(1, Math.ceil(users / PER_PROCESS)));
const vms = arg('vms', Math.max(1, Math.ceil(users / PER_PROCESS)));
const port = arg('port', 18700 + (process.pid % 200));
// Each source address has ~28,000 ephemeral ports; give every VM two of its own.
const ips = Math.max(1, Math.min(250, Math.ceil(users / 20_000) * 2, vms * 2));
// Tsung drops the users it has not started when the phase ends, and its launchers fall
// behind on a busy host: the phase lasts four times what the rate needs (maxnumber caps it).
const arrival = Math.ceil((4 * users) / rate) + 30;
const root = path.join(__dirname, '..', '..', '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rusher-tsung-'));
const say = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const children: ChildProcess[] = [];

const waitFor = (proc: ChildProcess, text: string, what: string, timeoutMs = 60_000): Promise<void> =>
  new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${out.slice(-2000)}`)), timeoutMs);
    const on = (d: Buffer) => {
      out += d;
      if (out.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout?.on('data', on);
    proc.stderr?.on('data', on);
    proc.once('exit', (code) => reject(new Error(`${what} exited (${code}):\n${out.slice(-2000)}`)));
  });

// ---- the scenario, filled in
const scenario = () => {
  const total = users;
  const chat = chatters;
  const fill: Record<string, string | number> = {
    HOST: execFileSync('hostname', ['-s'], { encoding: 'utf8' }).trim(),
    VMS: vms,
    MAXUSERS: Math.ceil(total / vms) + 100,
    IPS: Array.from({ length: ips }, (_, i) => `      <ip value="127.0.${Math.floor((i + 2) / 256)}.${(i + 2) % 256}"/>`).join('\n'),
    SERVER: '127.0.0.1',
    PORT: port,
    USERS: total,
    RATE: rate,
    ARRIVAL: arrival,
    // Users live past the whole arrival phase and the hold: this runner stops Tsung once
    // every user has been connected for `hold` seconds, however long the ramp took.
    PING_EVERY: pingEvery,
    PINGS: Math.ceil((arrival + hold + 120) / pingEvery),
    CHATS: Math.ceil((arrival + hold + 120) / 5),
    HOLD_WEIGHT: total - chat,
    CHAT_WEIGHT: Math.max(chat, 1),
    // Rooms of about ten: every join tells the room's members, so big rooms of idle
    // users would make the ramp a presence storm (n² deliveries a room) instead.
    ROOMS: Math.max(1, Math.ceil(total / 10)),
  };
  const text = fs.readFileSync(path.join(root, 'perf', 'tsung', 'scenario.xml'), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
    if (!(k in fill)) throw new Error(`scenario.xml: no value for {{${k}}}`);
    return String(fill[k]);
  });
  const file = path.join(work, 'scenario.xml');
  fs.writeFileSync(file, text);
  return file;
};

// ---- sampling the server: every process of it, from /proc
const pidsOf = (pid: number): number[] => {
  const kids = (() => {
    try {
      return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  })();
  return [pid, ...kids.flatMap(pidsOf)];
};
const rssKb = (pid: number): number => {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
};
const cpuTicks = (pid: number): number => {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
};
/** Established connections to the server's port, counted by the kernel (exact, but slow at 250k). */
const established = (): number =>
  execFileSync('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8', maxBuffer: 1 << 30 }).split('\n').filter(Boolean).length;
/** TCP sockets in use on the machine (cheap): on loopback each connection is two. */
const tcpInUse = (): number => Number(/TCP: inuse (\d+)/.exec(fs.readFileSync('/proc/net/sockstat', 'utf8'))?.[1] ?? 0);
// Clock ticks a second in /proc/<pid>/stat (USER_HZ), 100 on Linux.
const TICKS = 100;

interface Sample {
  readonly t: number;
  /** From the socket count; `exact` when `ss` counted them. */
  readonly conns: number;
  readonly exact: boolean;
  readonly rssMb: number;
  readonly cpuTicks: number;
}

// ---- Tsung's log: for each counter ("stats: NAME IN_INTERVAL TOTAL …", every 10 s), the
// largest TOTAL it reached: users and connected are gauges, the others running totals.
const tsungCounters = (logDir: string): Record<string, number> => {
  const log = fs.readdirSync(logDir).map((d) => path.join(logDir, d, 'tsung.log')).find((f) => fs.existsSync(f));
  if (log === undefined) throw new Error(`no tsung.log under ${logDir}`);
  const counters: Record<string, number> = {};
  for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
    const m = /^stats: ([a-z_]+) (-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?)/.exec(line);
    if (m !== null) counters[m[1]] = Math.max(counters[m[1]] ?? 0, Number(m[3]));
  }
  return counters;
};

const main = async () => {
  say(`tsung: ${users} users at ${rate}/s, held ${hold} s, ${chatters} chatting; server ${workers} workers; tsung ${vms} VMs on ${ips} source addresses`);
  let redisUrl: string | undefined;
  if (workers > 1) {
    const redisPort = port + 1;
    const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(redis);
    await waitFor(redis, 'Ready to accept connections', 'redis-server');
    redisUrl = `redis://127.0.0.1:${redisPort}`;
  }
  // The server's log goes to a file: a pipe nobody reads would fill and stall it.
  const serverLog = path.join(work, 'server.log');
  const logFd = fs.openSync(serverLog, 'w');
  const server = spawn(process.execPath, [path.join(root, 'dist', 'src', 'main.js')], {
    env: {
      ...process.env,
      ...LOAD_TEST_ENV,
      PORT: String(port),
      HOST: '127.0.0.1',
      RUSHER_DB: path.join(work, 'rusher.db'),
      RUSHER_WORKERS: String(workers),
      RUSHER_HEARTBEAT: String(heartbeat),
      ...(redisUrl === undefined ? {} : { RUSHER_REDIS_URL: redisUrl }),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', logFd, logFd],
  });
  fs.closeSync(logFd);
  children.push(server);
  // Warn level hides the start line; wait for the port instead.
  const started = Date.now();
  while (Date.now() - started < 60_000) {
    try {
      execFileSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`], { stdio: 'ignore' });
      break;
    } catch {
      await sleep(200);
    }
  }
  await sleep(1000);
  const idle = pidsOf(server.pid as number).reduce((n, p) => n + rssKb(p), 0) / 1024;

  const logDir = path.join(work, 'log');
  fs.mkdirSync(logDir);
  // Its own process group: stopping it must stop every Erlang VM it started.
  const tsung = spawn('tsung', ['-f', scenario(), '-l', logDir, '-n', 'start'], { stdio: ['ignore', 'pipe', 'pipe'], cwd: work, detached: true });
  children.push(tsung);
  let tsungOut = '';
  tsung.stdout!.on('data', (d) => (tsungOut += d));
  tsung.stderr!.on('data', (d) => (tsungOut += d));
  const tsungDone = new Promise<number | null>((resolve) => tsung.once('exit', resolve));

  const samples: Sample[] = [];
  const t0 = Date.now();
  const base = tcpInUse();
  let done = false;
  void tsungDone.then(() => (done = true));
  let fullSince: number | undefined;
  let stopping = false;
  const stopTsung = () => {
    stopping = true;
    say('  every user held for the hold time: stopping tsung');
    const stop = spawn('tsung', ['stop'], { stdio: 'ignore', cwd: work });
    children.push(stop);
    setTimeout(() => {
      if (tsung.exitCode === null) process.kill(-(tsung.pid as number), 'SIGTERM');
    }, 30_000).unref();
  };
  for (let n = 0; !done; n++) {
    const pids = pidsOf(server.pid as number);
    const exact = n % 5 === 4;
    const s: Sample = {
      t: (Date.now() - t0) / 1000,
      conns: exact ? established() : Math.max(0, Math.round((tcpInUse() - base) / 2)),
      exact,
      rssMb: pids.reduce((k, p) => k + rssKb(p), 0) / 1024,
      cpuTicks: pids.reduce((k, p) => k + cpuTicks(p), 0),
    };
    samples.push(s);
    if (n % 5 === 4) say(`  t=${s.t.toFixed(0)}s connections=${s.conns} server RSS=${s.rssMb.toFixed(0)} MB`);
    if (s.conns >= users * 0.995) fullSince ??= s.t;
    else if (!stopping) fullSince = undefined;
    if (!stopping && fullSince !== undefined && s.exact && s.t - fullSince >= hold + 5) stopTsung();
    await Promise.race([sleep(2000), tsungDone]);
  }
  const code = await tsungDone;
  const counters = tsungCounters(logDir);
  const serverErrors = fs.readFileSync(serverLog, 'utf8').split('\n').filter((l) => /"level":(50|60)|cannot start/.test(l));

  const exactSamples = samples.filter((s) => s.exact);
  const peak = exactSamples.reduce((a, b) => (b.conns > a.conns ? b : a), exactSamples[0] ?? samples[0]);
  const full = samples.filter((s) => s.conns >= users * 0.99);
  const heldSeconds = full.length < 2 ? 0 : full[full.length - 1].t - full[0].t;
  const first = samples.find((s) => s.conns >= users * 0.01);
  const reached = samples.find((s) => s.conns >= users * 0.99);
  const cpuCores = full.length < 2 ? 0 : (full[full.length - 1].cpuTicks - full[0].cpuTicks) / TICKS / heldSeconds;
  const errors = Object.entries(counters).filter(([k]) => k.startsWith('error_'));
  const result = {
    bench: 'tsung',
    users,
    rate,
    holdS: hold,
    heartbeatS: heartbeat,
    pingEveryS: pingEvery,
    workers,
    tsungVms: vms,
    sourceAddresses: ips,
    peakConnections: peak.conns,
    heldAtFullSeconds: Math.round(heldSeconds),
    connectRatePerS: reached === undefined || first === undefined ? null : Math.round((users * 0.98) / Math.max(1, reached.t - first.t)),
    serverRssIdleMb: Math.round(idle),
    serverRssPeakMb: Math.round(peak.rssMb),
    serverKbPerConnection: +(((peak.rssMb - idle) * 1024) / Math.max(1, peak.conns)).toFixed(2),
    serverKbPerConnectionTotal: +((peak.rssMb * 1024) / Math.max(1, peak.conns)).toFixed(2),
    serverCpuCoresWhileHeld: +cpuCores.toFixed(2),
    tsung: {
      exit: code,
      users: counters.users,
      connected: counters.connected,
      handshakes: counters.websocket_succ,
      sessionsFinished: counters.finish_users_count,
      chatRepliesMatched: counters.match ?? 0,
      chatRepliesMissed: counters.nomatch ?? 0,
      errors: Object.fromEntries(errors),
    },
    serverErrors: serverErrors.length,
  };
  console.log(JSON.stringify(result));
  say(`\nheld ${result.peakConnections} connections (${result.heldAtFullSeconds} s at ≥ 99% of ${users}), connect rate ${result.connectRatePerS}/s`);
  say(`server memory ${result.serverRssPeakMb} MB at peak (${result.serverRssIdleMb} MB idle): ${result.serverKbPerConnection} KB per connection (${result.serverKbPerConnectionTotal} KB counting the idle workers)`);
  say(`server CPU while held ${result.serverCpuCoresWhileHeld} cores; chat replies ${result.tsung.chatRepliesMatched} matched, ${result.tsung.chatRepliesMissed} missed; tsung errors ${JSON.stringify(result.tsung.errors)}`);
  if (result.tsung.users === undefined) say(`tsung output:\n${tsungOut.slice(-3000)}`);
  if (serverErrors.length > 0) say(`server errors (${serverErrors.length}), the first:\n${serverErrors.slice(0, 3).join('\n')}`);
};

const cleanup = async () => {
  // The server first, and wait for it: its workers flush through Redis as they stop.
  const server = children.find((c) => c.spawnargs[1]?.endsWith('main.js'));
  if (server !== undefined && server.exitCode === null) {
    server.kill('SIGTERM');
    await Promise.race([new Promise((r) => server.once('exit', r)), sleep(60_000)]);
  }
  for (const c of children.reverse()) {
    if (c.exitCode !== null) continue;
    // Tsung runs in its own process group (see above); the rest are single processes.
    if (c.spawnargs[0] === 'tsung') {
      try {
        process.kill(-(c.pid as number), 'SIGTERM');
      } catch {
        // already gone
      }
    } else c.kill('SIGTERM');
  }
  if (!flag('keep-logs')) fs.rmSync(work, { recursive: true, force: true });
  else say(`logs kept in ${work}`);
};
process.on('SIGINT', () => {
  void cleanup().then(() => process.exit(130));
});
main().then(cleanup, async (e: Error) => {
  say(`tsung bench failed: ${e.message}`);
  await cleanup();
  process.exitCode = 1;
});
