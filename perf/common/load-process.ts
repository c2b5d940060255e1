// The bench's handle on one forked load process (perf/chat/load-client.ts,
// perf/geo/devices.ts, …): commands go in, events come back, each awaited by name. IPC uses
// `serialization: 'advanced'`, so typed arrays cross as they are.
import { ChildProcess, fork } from 'child_process';
import os from 'os';

export type Msg = { ev: string } & Record<string, unknown>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LoadProcess<C extends object> {
  private readonly queued = new Map<string, Msg[]>();
  private readonly waiting = new Map<string, (m: Msg) => void>();
  private readonly listeners = new Map<string, (m: Msg) => void>();
  private failure: Error | undefined;

  private constructor(readonly name: string, readonly proc: ChildProcess) {
    proc.on('message', (m: Msg) => {
      const listener = this.listeners.get(m.ev);
      if (listener) return listener(m);
      if (m.ev === 'error') {
        this.failure = new Error(`${name}: ${m.message as string}`);
        for (const w of this.waiting.values()) w(m);
        return;
      }
      const w = this.waiting.get(m.ev);
      if (w) {
        this.waiting.delete(m.ev);
        w(m);
      } else this.queued.set(m.ev, [...(this.queued.get(m.ev) ?? []), m]);
    });
    proc.on('exit', (code) => {
      if (code !== 0 && !this.failure) this.failure = new Error(`${name} exited with ${code}`);
      for (const w of this.waiting.values()) w({ ev: 'error' });
    });
  }

  /** Forks `script` at priority `nice`; `track` learns of the child so the bench can kill it whatever happens. */
  static async start<C extends object>(name: string, script: string, nice: number, track: (p: ChildProcess) => void): Promise<LoadProcess<C>> {
    const proc = fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    track(proc);
    if (nice) os.setPriority(proc.pid as number, nice);
    const p = new LoadProcess<C>(name, proc);
    await p.next('ready', 10_000);
    return p;
  }

  send(c: C) {
    this.proc.send(c);
  }

  /** Events named `ev` go to `f` as they come (a stream, such as progress), not to next(). */
  on(ev: string, f: (m: Msg) => void) {
    this.listeners.set(ev, f);
  }

  next<T = Msg>(ev: string, timeoutMs: number): Promise<T> {
    const q = this.queued.get(ev);
    if (q && q.length > 0) return Promise.resolve(q.shift() as T);
    return new Promise<T>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const timer = setTimeout(() => {
        this.waiting.delete(ev);
        reject(new Error(`${this.name}: no "${ev}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(ev, (m) => {
        clearTimeout(timer);
        if (m.ev === 'error') reject(this.failure ?? new Error(`${this.name} failed`));
        else resolve(m as T);
      });
    });
  }

  /** Asks it to exit; SIGKILL after 3 s. */
  async stop() {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.on('exit', r));
    try {
      this.proc.send({ cmd: 'exit' });
    } catch {
      /* already gone */
    }
    await Promise.race([exited, sleep(3000)]);
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}
