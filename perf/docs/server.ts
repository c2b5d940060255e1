// The real server (dist/src/main.js) as a child process for the websocket variants: a
// free loopback port, a fresh SQLite file in the bench's temp dir, the rate limit off (one
// socket sends far more than a person would), everything else at its defaults.
import { ChildProcess, spawn } from 'child_process';
import fs from 'fs';
import net from 'net';
import path from 'path';
import { threadsOf } from './proc';

export interface Server {
  readonly port: number;
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly db: string;
  readonly log: string;
  /** Its threads once it is ready: before its writer thread starts (with the first write). */
  readonly threads: readonly number[];
  /** With profiling: where `node --cpu-prof` writes the main thread's and the writer thread's profiles. */
  readonly profileDir?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

export interface StartOptions {
  readonly main: string;
  readonly dir: string;
  readonly name: string;
  readonly profileDir?: string;
  /** Registers the child so that the bench kills it whatever happens. */
  readonly track: (p: ChildProcess) => void;
}

export const startServer = async (o: StartOptions): Promise<Server> => {
  const port = await freePort();
  const db = path.join(o.dir, `${o.name}.db`);
  const log = path.join(o.dir, `${o.name}.log`);
  const fd = fs.openSync(log, 'w');
  const prof = o.profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', o.profileDir];
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', RUSHER_DB: db, RUSHER_RATE_LIMIT: '0', LOG_LEVEL: 'info' };
  const proc = spawn(process.execPath, [...prof, o.main], { env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  o.track(proc);
  // Ready when it says so (PROTOCOL.md: one line when it accepts connections).
  const until = performance.now() + 20_000;
  while (performance.now() < until) {
    if (proc.exitCode !== null || proc.signalCode !== null) break;
    if (fs.readFileSync(log, 'utf8').includes('accepting connections')) {
      const pid = proc.pid as number;
      return { port, proc, pid, db, log, threads: [...threadsOf(pid)], profileDir: o.profileDir };
    }
    await sleep(50);
  }
  proc.kill('SIGKILL');
  throw new Error(`the server did not come up on port ${port}:\n${fs.readFileSync(log, 'utf8').slice(-2000)}`);
};

/** SIGTERM: the server flushes its commit stream and closes the store, then exits 0. */
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

export const removeDb = (s: Server) => {
  for (const f of [s.db, `${s.db}-wal`, `${s.db}-shm`, `${s.db}-journal`]) fs.rmSync(f, { force: true });
};
