// What a process costs, read from /proc (Linux): CPU by thread over a window, so that the
// server's main thread and its store writer thread can be told apart, and peak RSS.
import fs from 'fs';

const CLK_TCK = 100;

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** CPU seconds (user + system) of each thread of `pid`, by thread id; -1 holds the kernel's share of them all. */
const threadCpu = (pid: number): Map<number, number> => {
  const out = new Map<number, number>();
  let kernel = 0;
  let tids: string[] = [];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const s = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(f[11]) + Number(f[12])) / CLK_TCK);
      kernel += Number(f[12]) / CLK_TCK;
    } catch {
      // the thread ended between the listing and the read
    }
  }
  out.set(-1, kernel);
  return out;
};

/** Busy cores of the whole machine since boot, in seconds (user, nice, system, irq, softirq). */
const machineBusy = (): number => {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6]) / CLK_TCK;
};

/** Seconds the main thread of `pid` has run, and has waited runnable for a core (schedstat). */
const schedStat = (pid: number): { run: number; wait: number } => {
  try {
    const [run, wait] = fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return { run: run / 1e9, wait: wait / 1e9 };
  } catch {
    return { run: NaN, wait: NaN };
  }
};

export interface CpuWindow {
  readonly wallS: number;
  /** Cores used by the whole process over the window. */
  readonly process: number;
  /** Of `process`, the part spent in the kernel (socket and file writes, wake-ups). */
  readonly kernel: number;
  /** Cores used by its main thread (the event loop: sockets, pipelines, OT). */
  readonly mainThread: number;
  /** Cores' worth of time the main thread was ready to run but waited for a core: a busy host. */
  readonly mainThreadWaiting: number;
  /**
   * Cores used by the store's writer thread (SQLite): the busiest thread started after
   * `threadsBefore` was taken (the writer starts with the first write). Node names every
   * thread "node", so this is how it is told apart from V8's GC and compiler threads.
   */
  readonly writerThread: number;
  /** Every other thread: V8's GC helpers and compiler, libuv. */
  readonly otherThreads: number;
  /** Cores busy on the whole machine: on a shared host, what else was running. */
  readonly machine: number;
}

/** The thread ids of `pid` now. */
export const threadsOf = (pid: number): ReadonlySet<number> => {
  try {
    return new Set(fs.readdirSync(`/proc/${pid}/task`).map(Number));
  } catch {
    return new Set();
  }
};

/**
 * Starts a CPU window on `pid`; the returned function ends it. `threadsBefore`: the
 * process's threads before its writer thread started (none for a process without one).
 */
export const cpuWindow = (pid: number, threadsBefore?: ReadonlySet<number>): (() => CpuWindow) => {
  const t0 = performance.now();
  const a = threadCpu(pid);
  const m0 = machineBusy();
  const s0 = schedStat(pid);
  return () => {
    const wallS = (performance.now() - t0) / 1000;
    const b = threadCpu(pid);
    const m1 = machineBusy();
    const s1 = schedStat(pid);
    let total = 0;
    let writer = 0;
    for (const [tid, s] of b) {
      if (tid === -1) continue;
      const d = s - (a.get(tid) ?? 0);
      total += d;
      if (threadsBefore !== undefined && !threadsBefore.has(tid)) writer = Math.max(writer, d);
    }
    const main = (b.get(pid) ?? 0) - (a.get(pid) ?? 0);
    const kernel = (b.get(-1) ?? 0) - (a.get(-1) ?? 0);
    const cores = (x: number) => round(x / wallS);
    return {
      wallS: round(wallS, 3),
      process: cores(total),
      kernel: cores(kernel),
      mainThread: cores(main),
      mainThreadWaiting: cores(s1.wait - s0.wait),
      writerThread: cores(writer),
      otherThreads: cores(total - main - writer),
      machine: cores(m1 - m0),
    };
  };
};

const statusKB = (pid: number, field: string): number => {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
};

/** Peak resident set of `pid` so far, in MB. */
export const peakRssMB = (pid: number): number => Math.round(statusKB(pid, 'VmHWM') / 1024);
/** Resident set of `pid` now, in MB. */
export const rssMB = (pid: number): number => Math.round(statusKB(pid, 'VmRSS') / 1024);

/** Cores busy on the host over `ms`, before anything of ours runs. */
export const hostLoad = async (ms = 1000): Promise<number> => {
  const a = machineBusy();
  await new Promise((r) => setTimeout(r, ms));
  return round((machineBusy() - a) / (ms / 1000));
};
