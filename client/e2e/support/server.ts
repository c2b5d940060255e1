// The real Rusher server (dist/src/main.js, built by `npm run build`) on a free port
// with a database of its own, for browser tests and screenshots.
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './repo';
const READY = 'accepting connections';

export interface RunningServer {
  /** `http://127.0.0.1:PORT` */
  readonly base: string;
  /** Stops the process (SIGTERM: it flushes and exits) and starts it again on the same port and database. */
  readonly restart: () => Promise<void>;
  /** Stops the process and removes its database. */
  readonly stop: () => Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

const launch = (port: number, db: string, startTimeoutMs: number): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'dist/src/main.js')], {
      cwd: REPO,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', RUSHER_DB: db, RUSHER_CLIENT_DIR: path.join(REPO, 'client/dist'), RUSHER_RATE_LIMIT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within ${startTimeoutMs} ms:\n${output}`));
    }, startTimeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(READY)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    // Keep reading after start, or a full pipe would block the server's logging.
    child.stdout?.resume();
    child.stderr?.resume();
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before accepting connections:\n${output}`));
    });
  });

const terminate = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited(child);
  clearTimeout(killer);
};

export const startServer = async (startTimeoutMs = 20_000): Promise<RunningServer> => {
  if (!fs.existsSync(path.join(REPO, 'client/dist/index.html'))) throw new Error('client/dist is not built: run npm run build:client');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rusher-e2e-'));
  const db = path.join(dir, 'rusher.db');
  const port = await freePort();
  let child = await launch(port, db, startTimeoutMs);
  return {
    base: `http://127.0.0.1:${port}`,
    restart: async () => {
      await terminate(child);
      child = await launch(port, db, startTimeoutMs);
    },
    stop: async () => {
      await terminate(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
};
