// The messages between bench.ts and its forked load processes (devices.ts,
// subscribers.ts), and the bench's handle on one such process. IPC uses `serialization:
// 'advanced'`, so typed arrays cross as they are.
import { ChildProcess, fork } from 'child_process';
import os from 'os';
import type { ClientKind } from '../chat/wire';

/** The sockets of one devices process: each socket streams for its devices, round-robin. */
export interface DeviceSocket {
  readonly user: string;
  readonly devices: readonly number[];
}

export type DevicesCommand =
  | { cmd: 'connect'; port: number; client: ClientKind; seed: number; stepM: number; sockets: DeviceSocket[]; deviceCount: number; concurrency: number }
  /** Each device's first position, once: the bench waits for every ack before anyone subscribes. */
  | { cmd: 'place'; window: number; drainMs: number }
  | { cmd: 'stream'; window: number; warmupMs: number; durationMs: number; drainMs: number }
  | { cmd: 'exit' };

export type SubscribersCommand =
  | { cmd: 'connect'; port: number; client: ClientKind; count: number; deviceCount: number }
  | { cmd: 'mark' }
  | { cmd: 'report' }
  | { cmd: 'exit' };

export interface Problems {
  readonly errors: number;
  readonly errorSamples: string[];
  readonly closes: number;
  readonly closeSamples: string[];
}

export interface Placed extends Problems {
  readonly ev: 'placed';
  readonly sent: number;
  readonly acked: number;
  readonly ms: number;
}

export interface Streamed extends Problems {
  readonly ev: 'streamed';
  readonly sockets: number;
  /** Acks received inside the measured window, and its length. */
  readonly windowAcks: number;
  readonly windowMs: number;
  /** Updates sent and acked in the stream (the placement not included). */
  readonly sent: number;
  readonly acked: number;
  readonly refMismatches: number;
  /** Ack latency samples (ms) of the measured window, from the send. */
  readonly latencies: Float64Array;
  /** For every device of the run (indexed by device number): updates sent, placement included; 0 for other processes' devices. */
  readonly updates: Int32Array;
  /** Events the owners' sockets got for their devices over the whole run, by device. */
  readonly enters: Int32Array;
  readonly exits: Int32Array;
  readonly dwells: number;
  readonly cpuMs: number;
}

export interface SubscriberReport extends Problems {
  readonly ev: 'report';
  /** Per socket: events by device, since the subscription. */
  readonly enters: Int32Array[];
  readonly exits: Int32Array[];
  readonly dwells: number;
  /** Per socket: events counted between the two marks, and the marks' distance. */
  readonly windowEvents: number[];
  readonly windowMs: number;
  readonly total: number;
  readonly cpuMs: number;
}

type Msg = { ev: string } & Record<string, unknown>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A forked load process: commands go in, events come back, each awaited by name. */
export class LoadProcess<C> {
  private readonly queued = new Map<string, Msg[]>();
  private readonly waiting = new Map<string, (m: Msg) => void>();
  private failure: Error | undefined;

  private constructor(readonly name: string, readonly proc: ChildProcess) {
    proc.on('message', (m: Msg) => {
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

  /** Forks `script`; `track` learns of the child so the bench can kill it whatever happens. */
  static async start<C>(name: string, script: string, nice: number, track: (p: ChildProcess) => void): Promise<LoadProcess<C>> {
    const proc = fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    track(proc);
    if (nice) os.setPriority(proc.pid as number, nice);
    const p = new LoadProcess<C>(name, proc);
    await p.next('ready', 10_000);
    return p;
  }

  send(c: C) {
    this.proc.send(c as object);
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

  async stop() {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.on('exit', r));
    try {
      this.send({ cmd: 'exit' } as C);
    } catch {
      /* already gone */
    }
    await Promise.race([exited, sleep(3000)]);
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}
