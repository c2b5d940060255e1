// What a process costs, read from /proc (Linux): CPU by thread over a window, so that the
// server's main thread and its store writer thread can be told apart, RSS and peak RSS,
// and the machine's CPU (the host is shared: it says what else was running).
import fs from 'fs';
import { performance } from 'perf_hooks';
import { round } from './figures';

const CLK_TCK = 100;

export interface CpuSeconds {
  /** User + system. */
  readonly cpu: number;
  readonly sys: number;
}

/** CPU seconds of process `pid`, or of its thread `tid`; NaN once it is gone. */
export const cpuSeconds = (pid: number, tid?: number): CpuSeconds => {
  try {
    const s = fs.readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { cpu: (Number(f[11]) + Number(f[12])) / CLK_TCK, sys: Number(f[12]) / CLK_TCK };
  } catch {
    return { cpu: NaN, sys: NaN };
  }
};

/** The thread ids of `pid` now. */
export const threadsOf = (pid: number): ReadonlySet<number> => {
  try {
    return new Set(fs.readdirSync(`/proc/${pid}/task`).map(Number));
  } catch {
    return new Set();
  }
};

/** CPU seconds of each thread of `pid`, by thread id (a thread that ended meanwhile is left out). */
const threadCpu = (pid: number): ReadonlyMap<number, number> =>
  new Map([...threadsOf(pid)].map((tid): [number, number] => [tid, cpuSeconds(pid, tid).cpu]).filter(([, s]) => Number.isFinite(s)));

/** Seconds the main thread of `pid` has run, and has waited runnable for a core (schedstat). */
export const schedStat = (pid: number): { readonly run: number; readonly wait: number } => {
  try {
    const [run, wait] = fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return { run: run / 1e9, wait: wait / 1e9 };
  } catch {
    return { run: NaN, wait: NaN };
  }
};

/** The whole machine's CPU seconds since boot: busy (user, nice, system, irq, softirq), the irq + softirq part of it, and steal. */
export const machineStat = (): { readonly busy: number; readonly softirq: number; readonly steal: number } => {
  // user nice system idle iowait irq softirq steal
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: (f[0] + f[1] + f[2] + f[5] + f[6]) / CLK_TCK, softirq: (f[5] + f[6]) / CLK_TCK, steal: (f[7] ?? 0) / CLK_TCK };
};

/** A window's CPU, in cores (CPU seconds per second of the window). */
export interface CpuWindow {
  readonly wallS: number;
  /** The whole process. */
  readonly process: number;
  /** Of `process`, the part spent in the kernel (socket and file writes, wake-ups). */
  readonly kernel: number;
  /** The main thread (the event loop: sockets, pipelines, OT). */
  readonly mainThread: number;
  /** Time the main thread was ready to run but waited for a core: a busy host. */
  readonly mainThreadWaiting: number;
  /** The store's writer thread (SQLite); see cpuWindow for how it is told apart. */
  readonly writerThread: number;
  /** Every other thread: V8's GC helpers and compiler, libuv. */
  readonly otherThreads: number;
  /** The whole machine, and what the hypervisor stole from it: on a shared host, what else was running. */
  readonly machineBusy: number;
  readonly steal: number;
  /** CLOCK_MONOTONIC µs at the window's ends: the clock of V8's CPU profiles. */
  readonly fromUs: number;
  readonly toUs: number;
}

/**
 * Starts a CPU window on `pid`; the returned function ends it. Node names every thread
 * "node", so the writer thread is told apart by when it started: the busiest thread not in
 * `threadsBefore` (the threads before the first write, which starts it) or, without that,
 * the busiest thread but the main one (under load, the writer).
 */
export const cpuWindow = (pid: number, threadsBefore?: ReadonlySet<number>): (() => CpuWindow) => {
  const snapshot = () => ({ ms: performance.now(), us: Number(process.hrtime.bigint() / 1000n), threads: threadCpu(pid), total: cpuSeconds(pid), sched: schedStat(pid), machine: machineStat() });
  const a = snapshot();
  return () => {
    const b = snapshot();
    const wallS = (b.ms - a.ms) / 1000;
    const used = [...b.threads].map(([tid, s]) => ({ tid, s: s - (a.threads.get(tid) ?? 0) }));
    const main = used.find((t) => t.tid === pid)?.s ?? NaN;
    const writer = Math.max(0, ...used.filter((t) => t.tid !== pid && !threadsBefore?.has(t.tid)).map((t) => t.s));
    const total = b.total.cpu - a.total.cpu;
    const cores = (x: number) => round(x / wallS, 2);
    return {
      wallS: round(wallS, 3),
      process: cores(total),
      kernel: cores(b.total.sys - a.total.sys),
      mainThread: cores(main),
      mainThreadWaiting: cores(b.sched.wait - a.sched.wait),
      writerThread: cores(writer),
      otherThreads: cores(Math.max(0, total - main - writer)),
      machineBusy: cores(b.machine.busy - a.machine.busy),
      steal: cores(b.machine.steal - a.machine.steal),
      fromUs: a.us,
      toUs: b.us,
    };
  };
};

/** A `/proc/<pid>/status` figure in kB (VmRSS, VmHWM, …); NaN once the process is gone. */
export const statusKB = (pid: number, field: string): number => {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
};

/** Resident set of `pid` now, in MB. */
export const rssMB = (pid: number): number => Math.round(statusKB(pid, 'VmRSS') / 1024);
/** Peak resident set of `pid` so far, in MB. */
export const peakRssMB = (pid: number): number => Math.round(statusKB(pid, 'VmHWM') / 1024);

/** Cores busy on the host over `ms`, before anything of ours runs. */
export const hostLoad = async (ms = 1000): Promise<number> => {
  const a = machineStat();
  await new Promise((r) => setTimeout(r, ms));
  return round((machineStat().busy - a.busy) / (ms / 1000), 2);
};

/**
 * CPU seconds of a process tree that forks short-lived children (Postgres: a backend a
 * connection): the process, its children that have ended (cutime, cstime) and those alive.
 * Differences of two readings are the tree's CPU in between; NaN once the process is gone.
 */
export const treeCpuSeconds = (pid: number): number => {
  const stat = (p: number) => {
    try {
      const s = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      return s.slice(s.lastIndexOf(')') + 2).split(' ').map(Number);
    } catch {
      return undefined;
    }
  };
  const own = stat(pid);
  if (own === undefined) return NaN;
  let children: number[] = [];
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // none
  }
  // utime stime cutime cstime are fields 14–17 of stat: 11–14 here.
  const ticks = (f: number[]) => f[11] + f[12] + f[13] + f[14];
  return (ticks(own) + children.map(stat).reduce((a, f) => a + (f === undefined ? 0 : ticks(f)), 0)) / CLK_TCK;
};
