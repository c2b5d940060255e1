// The real server (dist/src/main.js) as a child process: a free loopback port, a fresh
// SQLite file in the bench's temp dir, the rate limit off (one load socket sends far more
// than a person would), everything else at its defaults unless the bench says otherwise.
import { ChildProcess, spawn } from 'child_process';
import fs from 'fs';
import net from 'net';
import path from 'path';
import { performance } from 'perf_hooks';
import { threadsOf } from './proc';

export interface Server {
  readonly port: number;
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly db: string;
  readonly log: string;
  /** Its threads once it is ready: before its writer thread starts (with the first write). */
  readonly threads: readonly number[];
  /** With profiling: where `node --cpu-prof` writes one profile a thread at exit. */
  readonly profileDir?: string;
}

export interface StartOptions {
  readonly main: string;
  /** The bench's temp dir: the server's `<name>.db` and `<name>.log` go there. */
  readonly dir: string;
  readonly name: string;
  /** Beside (or over) the defaults: RUSHER_WORKERS, … */
  readonly env?: Readonly<Record<string, string>>;
  readonly nodeArgs?: readonly string[];
  readonly cwd?: string;
  readonly profileDir?: string;
  /** Registers the child so that the bench kills it whatever happens. */
  readonly track: (p: ChildProcess) => void;
}

/**
 * Load tools are one client address sending far more than a person would, and own
 * thousands of fences and devices as one user: the limits meant for people are off.
 */
export const LOAD_TEST_ENV: Readonly<Record<string, string>> = {
  RUSHER_RATE_LIMIT: '0',
  RUSHER_MAX_CONNECTS_PER_IP: '0',
  RUSHER_MAX_SOCKETS_PER_USER: '0',
  RUSHER_MAX_FENCES_PER_USER: '0',
  RUSHER_MAX_DEVICES_PER_USER: '0',
};

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

/** Node flags for a CPU profile of every thread, written to `dir` at exit; none without a dir. */
export const cpuProfArgs = (dir: string | undefined): string[] => (dir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', dir]);

export const startServer = async (o: StartOptions): Promise<Server> => {
  const port = await freePort();
  const db = path.join(o.dir, `${o.name}.db`);
  const log = path.join(o.dir, `${o.name}.log`);
  const fd = fs.openSync(log, 'w');
  // info level: the server's only info lines are its start and stop; the start line is how we know it is ready.
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', RUSHER_DB: db, ...LOAD_TEST_ENV, LOG_LEVEL: 'info', ...o.env };
  const proc = spawn(process.execPath, [...(o.nodeArgs ?? []), ...cpuProfArgs(o.profileDir), o.main], { cwd: o.cwd, env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  o.track(proc);
  // Ready when it says so (PROTOCOL.md: one line when it accepts connections).
  const until = performance.now() + 20_000;
  while (performance.now() < until && proc.exitCode === null && proc.signalCode === null) {
    if (fs.readFileSync(log, 'utf8').includes('accepting connections')) {
      const pid = proc.pid as number;
      return { port, proc, pid, db, log, threads: [...threadsOf(pid)], profileDir: o.profileDir };
    }
    await sleep(50);
  }
  proc.kill('SIGKILL');
  throw new Error(`the server did not come up on port ${port}:\n${fs.readFileSync(log, 'utf8').slice(-2000)}`);
};

/** SIGTERM: the server flushes its commit stream and closes the store, then exits 0; SIGKILL after 20 s. */
export const stopServer = async (s: Server): Promise<number | string | null> => {
  const exited = new Promise<number | string | null>((resolve) => {
    if (s.proc.exitCode !== null || s.proc.signalCode !== null) resolve(s.proc.exitCode ?? s.proc.signalCode);
    else s.proc.once('exit', (code, signal) => resolve(code ?? signal));
  });
  s.proc.kill('SIGTERM');
  const code = await Promise.race([exited, sleep(20_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') s.proc.kill('SIGKILL');
  return code;
};

/** The SQLite file and its WAL, shared-memory and journal files. */
export const removeDb = (s: { readonly db: string }) => {
  for (const f of [s.db, `${s.db}-wal`, `${s.db}-shm`, `${s.db}-journal`]) fs.rmSync(f, { force: true });
};
