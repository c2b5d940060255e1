// The messages between bench.ts and its forked load processes (devices.ts,
// subscribers.ts; the bench's handle on one is ../common/load-process.ts). IPC uses
// `serialization: 'advanced'`, so typed arrays cross as they are.
import type { ClientKind } from '../chat/wire';
import type { Area } from './workload';

/** The sockets of one devices process: each socket streams for its devices, round-robin. */
export interface DeviceSocket {
  readonly user: string;
  readonly devices: readonly number[];
}

export type DevicesCommand =
  /** `auth`: the server runs with token auth; each socket signs its own token (perf/common/tokens). */
  | { cmd: 'connect'; port: number; client: ClientKind; seed: number; stepM: number; area: Area; sockets: DeviceSocket[]; deviceCount: number; concurrency: number; auth: boolean }
  /** Each device's first position, once: the bench waits for every ack before anyone subscribes. */
  | { cmd: 'place'; window: number; drainMs: number }
  | { cmd: 'stream'; window: number; warmupMs: number; durationMs: number; drainMs: number }
  | { cmd: 'exit' };

export type SubscribersCommand =
  | { cmd: 'connect'; port: number; client: ClientKind; count: number; deviceCount: number; auth: boolean }
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
