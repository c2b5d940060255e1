// The server under test as a child process (dist/src/main.js on a free loopback port,
// a fresh SQLite file in the bench's temp dir), and what /proc says about it: CPU of
// the process, of its main thread and of its other threads (the store's writer thread
// is the busiest of those), peak and current RSS, and the machine's CPU.
import { ChildProcess, spawn } from 'child_process';
import fs from 'fs';
import net from 'net';
import path from 'path';
import { performance } from 'perf_hooks';

export interface Server {
  readonly port: number;
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly db: string;
  readonly log: string;
  /** With profiling on: where `--cpu-prof` writes one profile per thread at exit. */
  readonly profileDir?: string;
}

export interface StartOptions {
  readonly main: string;
  readonly cwd: string;
  readonly dir: string;
  readonly nodeArgs: readonly string[];
  readonly profileDir?: string;
  readonly track: (p: ChildProcess) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

export const startServer = async (o: StartOptions): Promise<Server> => {
  const port = await freePort();
  const db = path.join(o.dir, 'geo.db');
  const log = path.join(o.dir, 'server.log');
  const fd = fs.openSync(log, 'w');
  const prof = o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : [];
  // info level: the server's only info lines are its start and stop; the start line is how we know it is ready.
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', RUSHER_DB: db, RUSHER_RATE_LIMIT: '0', RUSHER_WORKERS: '1', LOG_LEVEL: 'info' };
  const proc = spawn(process.execPath, [...o.nodeArgs, ...prof, o.main], { cwd: o.cwd, env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  o.track(proc);
  const until = performance.now() + 20_000;
  while (performance.now() < until && proc.exitCode === null) {
    if (fs.readFileSync(log, 'utf8').includes('accepting connections')) return { port, proc, pid: proc.pid as number, db, log, profileDir: o.profileDir };
    await sleep(50);
  }
  proc.kill('SIGKILL');
  throw new Error(`the server did not come up on port ${port}:\n${fs.readFileSync(log, 'utf8').slice(-2000)}`);
};

/** SIGTERM (the server flushes its commits and closes the store), SIGKILL after 20 s. */
export const stopServer = async (s: Server): Promise<number | string | null> => {
  const exited = new Promise<number | string | null>((resolve) => {
    if (s.proc.exitCode !== null) resolve(s.proc.exitCode);
    else s.proc.on('exit', (code, signal) => resolve(code ?? signal));
  });
  s.proc.kill('SIGTERM');
  const code = await Promise.race([exited, sleep(20_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') s.proc.kill('SIGKILL');
  return code;
};

export const removeDb = (s: Server) => {
  for (const f of [s.db, `${s.db}-wal`, `${s.db}-shm`, `${s.db}-journal`]) fs.rmSync(f, { force: true });
};

// ---------------------------------------------------------------------------------
// /proc
const CLK_TCK = 100;
const fields = (statFile: string) => {
  const s = fs.readFileSync(statFile, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ');
};

/** CPU seconds (user + system) of a process or one of its threads. */
const cpuOf = (statFile: string) => {
  try {
    const f = fields(statFile);
    return { cpu: (Number(f[11]) + Number(f[12])) / CLK_TCK, sys: Number(f[12]) / CLK_TCK };
  } catch {
    return { cpu: NaN, sys: NaN };
  }
};

/** Seconds a thread has run, and waited runnable for a core (the host is shared). */
const schedOf = (pid: number) => {
  try {
    const [run, wait] = fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return { run: run / 1e9, wait: wait / 1e9 };
  } catch {
    return { run: NaN, wait: NaN };
  }
};

/** Per thread: CPU seconds, by tid. */
const threadsOf = (pid: number): Map<number, number> => {
  const out = new Map<number, number>();
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) out.set(Number(tid), cpuOf(`/proc/${pid}/task/${tid}/stat`).cpu);
  } catch {
    /* gone */
  }
  return out;
};

const statusKb = (pid: number, key: string) => {
  try {
    const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
};
export const rssMB = (pid: number) => ({ rssMB: statusKb(pid, 'VmRSS'), peakRssMB: statusKb(pid, 'VmHWM') });

const machine = () => {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return { busy: (f[0] + f[1] + f[2] + f[5] + f[6]) / CLK_TCK, steal: (f[7] ?? 0) / CLK_TCK };
};

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export interface CpuWindow {
  readonly secs: number;
  /** Cores used by the server over the window: all threads, then the kernel's part of that. */
  readonly serverCpu: number;
  readonly serverKernelCpu: number;
  readonly mainThread: number;
  /** Of the window, the share the main thread spent runnable but waiting for a core. */
  readonly mainThreadWaiting: number;
  /** The busiest thread but the main one: the store's writer thread under this load. */
  readonly writerThread: number;
  /** Every other thread (GC helpers, libuv pool, …). */
  readonly otherThreads: number;
  readonly machineBusy: number;
  readonly steal: number;
  /** CLOCK_MONOTONIC µs at the window's ends: the clock of V8's CPU profiles. */
  readonly fromUs: number;
  readonly toUs: number;
}

/** Snapshot now; call the result at the window's end. */
export const cpuWindow = (pid: number) => {
  const at = () => ({ p: cpuOf(`/proc/${pid}/stat`), t: threadsOf(pid), s: schedOf(pid), m: machine(), ms: performance.now(), us: Number(process.hrtime.bigint() / 1000n) });
  const a = at();
  return (): CpuWindow => {
    const b = at();
    const secs = (b.ms - a.ms) / 1000;
    const perThread = [...b.t].map(([tid, cpu]) => ({ tid, cores: (cpu - (a.t.get(tid) ?? 0)) / secs }));
    const main = perThread.find((t) => t.tid === pid)?.cores ?? NaN;
    const others = perThread.filter((t) => t.tid !== pid).sort((x, y) => y.cores - x.cores);
    return {
      secs: round(secs, 3),
      serverCpu: round((b.p.cpu - a.p.cpu) / secs),
      serverKernelCpu: round((b.p.sys - a.p.sys) / secs),
      mainThread: round(main),
      mainThreadWaiting: round((b.s.wait - a.s.wait) / secs),
      writerThread: round(others[0]?.cores ?? 0),
      otherThreads: round(others.slice(1).reduce((s, t) => s + t.cores, 0)),
      machineBusy: round((b.m.busy - a.m.busy) / secs),
      steal: round((b.m.steal - a.m.steal) / secs),
      fromUs: a.us,
      toUs: b.us,
    };
  };
};

/** Cores busy on the host over `ms`, before anything of ours runs. */
export const hostLoad = async (ms = 1000) => {
  const a = machine();
  await sleep(ms);
  return round((machine().busy - a.busy) / (ms / 1000));
};
