// Starts the real server (dist/src/main.js: real uWS, real SQLite file) as a child
// process, and connects real `ws` clients to it.
import { ChildProcess, spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import WebSocket from 'ws';

const MAIN = path.join(__dirname, '..', '..', 'dist', 'src', 'main.js');

export const tempDb = (): string => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rusher-')), 'rusher.db');

let nextPort = 20000 + (process.pid % 2000) * 10;

export interface Server {
  readonly port: number;
  readonly db: string;
  readonly url: (query?: string) => string;
  readonly proc: ChildProcess;
  readonly output: () => string;
  /** SIGTERM; resolves with the exit code. */
  readonly stop: () => Promise<number | null>;
  readonly kill9: () => Promise<void>;
}

export const startServer = async (env: Record<string, string> = {}, db = tempDb()): Promise<Server> => {
  const port = nextPort++;
  const proc = spawn(process.execPath, [MAIN], {
    // Every spec connects from 127.0.0.1, faster than a person: the per-address and
    // per-socket rates are off unless a spec sets them (spec/limits.spec.ts).
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', RUSHER_DB: db, LOG_LEVEL: process.env.SPEC_LOG_LEVEL ?? 'info', RUSHER_RATE_LIMIT: '0', RUSHER_MAX_CONNECTS_PER_IP: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 15000);
    const check = () => {
      if (out.includes('accepting connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`server exited:\n${out}`));
    });
  });
  return {
    port,
    db,
    proc,
    url: (query = 'user=tester') => `ws://127.0.0.1:${port}/ws?${query}`,
    output: () => out,
    stop: async () => {
      proc.kill('SIGTERM');
      return exited;
    },
    kill9: async () => {
      proc.kill('SIGKILL');
      await exited;
    },
  };
};

export type Frame = { type: string } & Record<string, any>;

/** A `ws` client that records every frame and lets a test wait for the one it expects. */
export class Client {
  readonly frames: Frame[] = [];
  /** From `welcome`; in a cluster it starts with the worker's index. */
  session = '';
  private waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  closed: Promise<{ code: number }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as Frame;
      this.frames.push(f);
      this.waiters = this.waiters.filter((w) => (w.pred(f) ? (w.resolve(f), false) : true));
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve({ code })));
  }

  static async connect(url: string): Promise<Client> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const c = new Client(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    c.session = (await c.next((f) => f.type === 'welcome')).session;
    return c;
  }

  send(frame: object | string | Buffer): void {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  /** Takes the first frame matching `pred` out of the record, waiting for it if needed. */
  next(pred: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const i = this.frames.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting; got ${JSON.stringify(this.frames.slice(-5))}`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer);
          this.frames.splice(this.frames.indexOf(f), 1);
          resolve(f);
        },
      });
    });
  }

  /** Sends a frame with `ref` and resolves with the reply carrying that ref. */
  async request(frame: object, timeoutMs?: number): Promise<Frame> {
    const ref = `r${++refs}`;
    const reply = this.next((f) => f.ref === ref, timeoutMs);
    this.send({ ...frame, ref });
    return reply;
  }

  close(): void {
    this.ws.close();
  }
}

let refs = 0;
