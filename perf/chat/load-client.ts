// One load-client process (forked by bench.ts, IPC with `serialization: 'advanced'`).
// It opens many sockets, joins each to its room, then on command either sends
// (closed loop with a window of unacked messages, or open loop at a fixed rate) or
// only counts the chat.message frames it receives. Results go back as one message.
import { performance } from 'perf_hooks';
import { Client, ClientKind, Kind, REF, SEQ, connect, intField, kindOf } from './wire';
import { wsPath } from '../common/tokens';

export interface SocketSpec {
  readonly user: string;
  readonly room: string;
  /** With token auth on, the socket's token. */
  readonly token?: string;
}

export type Command =
  | { cmd: 'connect'; port: number; client: ClientKind; sockets: SocketSpec[]; concurrency: number; checkOrder: number }
  | {
      cmd: 'closed';
      window: number;
      /** Messages this process may have sent beyond what every receiver has got (fan-out flow control); 0 = off. */
      deliveryWindow: number;
      warmupMs: number;
      durationMs: number;
      drainMs: number;
      textBytes: number;
    }
  | { cmd: 'open'; rate: number; warmupMs: number; durationMs: number; drainMs: number; textBytes: number }
  | { cmd: 'progress'; min: number }
  | { cmd: 'report-progress'; everyMs: number }
  | { cmd: 'count-start' }
  | { cmd: 'count-stop' }
  | { cmd: 'history'; rooms: string[]; limit: number }
  | { cmd: 'exit' };

export interface SendResult {
  readonly ev: 'sent';
  readonly sockets: number;
  /** Acks of messages sent (closed) or scheduled (open) inside the measured window. */
  readonly windowAcks: number;
  readonly windowMs: number;
  readonly sent: number;
  readonly acked: number;
  readonly unacked: number;
  /** Latency samples (ms) of the measured window: from the send (closed) or the scheduled time (open). */
  readonly latencies: Float64Array;
  /** Open loop only: from the moment the frame was actually handed to the socket. */
  readonly serviceLatencies: Float64Array;
  readonly maxLateMs: number;
  readonly refMismatches: number;
  readonly seqsByRoom: Record<string, Int32Array>;
  readonly cpuMs: number;
  readonly errors: number;
  readonly errorSamples: string[];
  readonly closes: number;
  readonly closeSamples: string[];
}

interface Sock {
  readonly i: number;
  readonly user: string;
  readonly token?: string;
  readonly room: string;
  readonly checkOrder: boolean;
  c: Client;
  sent: number;
  acked: number;
  /** Send (or scheduled) times of unacked messages, indexed by message number. */
  times: Float64Array;
  sentAt: Float64Array;
  msgs: number;
  lastMsgSeq: number;
  seqs: number[];
}

const send = (m: unknown) => process.send?.(m);

let socks: Sock[] = [];
let errors = 0;
const errorSamples: string[] = [];
let closes = 0;
const closeSamples: string[] = [];
let orderGaps = 0;
let refMismatches = 0;
const joinWaiters = new Map<number, () => void>();
const historyWaiters = new Map<string, (messages: { seq: number }[]) => void>();

// Sending state, reset by each run.
let onAck: (s: Sock, now: number, seq: number, ref: number) => void = () => undefined;
let counting = false;
let counted = 0;
let countStartedAt = 0;
let countCpu = process.cpuUsage();
let delivered = 0;
let progressMin = 0;
let onProgress: () => void = () => undefined;

const frameHandler = (s: Sock) => (b: Buffer, st: number, en: number) => {
  const k = kindOf(b, st, en);
  if (k === Kind.Message) {
    s.msgs++;
    delivered++;
    if (counting) counted++;
    if (s.checkOrder) {
      const seq = intField(b, st, en, SEQ);
      if (s.lastMsgSeq > 0 && seq !== s.lastMsgSeq + 1) orderGaps++;
      s.lastMsgSeq = seq;
    }
  } else if (k === Kind.Ack) {
    onAck(s, performance.now(), intField(b, st, en, SEQ), intField(b, st, en, REF));
  } else if (k === Kind.Error) {
    errors++;
    if (errorSamples.length < 5) errorSamples.push(b.toString('utf8', st, Math.min(en, st + 300)));
  } else if (k === Kind.Joined) {
    joinWaiters.get(s.i)?.();
  } else if (k === Kind.History) {
    const f = JSON.parse(b.toString('utf8', st, en)) as { ref: string; messages: { seq: number }[] };
    historyWaiters.get(f.ref)?.(f.messages);
  }
};

const connectAll = async (c: Extract<Command, { cmd: 'connect' }>) => {
  const t0 = performance.now();
  socks = c.sockets.map((spec, i) => ({
    i,
    user: spec.user,
    token: spec.token,
    room: spec.room,
    checkOrder: i < c.checkOrder,
    c: undefined as unknown as Client,
    sent: 0,
    acked: 0,
    times: new Float64Array(0),
    sentAt: new Float64Array(0),
    msgs: 0,
    lastMsgSeq: 0,
    seqs: [],
  }));
  let next = 0;
  const worker = async () => {
    while (next < socks.length) {
      const s = socks[next++];
      s.c = await connect(c.client, {
        port: c.port,
        path: wsPath(s.user, s.token),
        onFrame: frameHandler(s),
        onClose: (why) => {
          closes++;
          if (closeSamples.length < 5) closeSamples.push(`${s.user}: ${why}`);
        },
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${s.user}: no room.joined within 20 s`)), 20_000);
        joinWaiters.set(s.i, () => {
          clearTimeout(timer);
          joinWaiters.delete(s.i);
          resolve();
        });
        s.c.send(`{"type":"room.join","ref":"j","room":${JSON.stringify(s.room)}}`);
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, c.concurrency) }, worker));
  send({ ev: 'connected', sockets: socks.length, ms: performance.now() - t0 });
};

const textOf = (bytes: number) => {
  const base = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ';
  let t = '';
  while (t.length < bytes) t += base;
  return t.slice(0, bytes);
};

const frameFor = (s: Sock, text: string) => `{"type":"chat.send","ref":${s.sent},"room":${JSON.stringify(s.room)},"text":"${text}"}`;

class Samples {
  private a = new Float64Array(1 << 16);
  n = 0;
  push(v: number) {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  take() {
    return this.a.slice(0, this.n);
  }
}

const finish = (windowAcks: number, windowMs: number, lat: Samples, service: Samples, maxLateMs: number, cpuMs: number) => {
  const seqsByRoom: Record<string, Int32Array> = {};
  const byRoom = new Map<string, number[]>();
  for (const s of socks) {
    if (s.seqs.length === 0) continue;
    const list = byRoom.get(s.room) ?? [];
    for (const q of s.seqs) list.push(q);
    byRoom.set(s.room, list);
  }
  for (const [room, list] of byRoom) seqsByRoom[room] = Int32Array.from(list);
  const result: SendResult = {
    ev: 'sent',
    sockets: socks.length,
    windowAcks,
    windowMs,
    sent: socks.reduce((a, s) => a + s.sent, 0),
    acked: socks.reduce((a, s) => a + s.acked, 0),
    unacked: socks.reduce((a, s) => a + s.sent - s.acked, 0),
    latencies: lat.take(),
    serviceLatencies: service.take(),
    maxLateMs,
    refMismatches,
    seqsByRoom,
    cpuMs,
    errors,
    errorSamples,
    closes,
    closeSamples,
  };
  send(result);
};

// Closed loop: each socket keeps `window` messages unacked; acks inside the measured
// window are counted. Acks of one socket come back in its send order (one room's
// commits are ordered), so a ring of send times per socket gives each ack's latency.
const runClosed = (c: Extract<Command, { cmd: 'closed' }>) => {
  const text = textOf(c.textBytes);
  const t0 = performance.now();
  const tStart = t0 + c.warmupMs;
  const tEnd = tStart + c.durationMs;
  let sending = true;
  let windowAcks = 0;
  let cpu = process.cpuUsage();
  const lat = new Samples();
  let totalSent = 0;
  for (const s of socks) s.times = new Float64Array(c.window);

  const pump = (s: Sock) => {
    while (sending && s.sent - s.acked < c.window && (c.deliveryWindow === 0 || totalSent - progressMin < c.deliveryWindow)) {
      s.times[s.sent % c.window] = performance.now();
      s.sent++;
      totalSent++;
      s.c.send(frameFor(s, text));
    }
  };
  onAck = (s, now, seq, ref) => {
    const sentAt = s.times[s.acked % c.window];
    s.acked++;
    if (ref !== s.acked) refMismatches++;
    s.seqs.push(seq);
    if (now >= tStart && now <= tEnd) {
      windowAcks++;
      lat.push(now - sentAt);
    }
    pump(s);
  };
  onProgress = () => {
    for (const s of socks) pump(s);
  };
  setTimeout(() => (cpu = process.cpuUsage()), c.warmupMs);
  setTimeout(() => {
    sending = false;
    const used = process.cpuUsage(cpu);
    const deadline = performance.now() + c.drainMs;
    const check = () => {
      const pending = socks.some((s) => s.sent > s.acked && !s.c.closed);
      if (pending && performance.now() < deadline) return void setTimeout(check, 10);
      onAck = () => undefined;
      finish(windowAcks, c.durationMs, lat, new Samples(), 0, (used.user + used.system) / 1000);
    };
    check();
  }, c.warmupMs + c.durationMs);
  for (const s of socks) pump(s);
};

// Open loop: message k is due at t0 + k/rate whatever happened before; latency runs
// from that scheduled time, so a stall is charged to every message it delays.
const runOpen = (c: Extract<Command, { cmd: 'open' }>) => {
  const text = textOf(c.textBytes);
  const interval = 1000 / c.rate;
  const t0 = performance.now() + 5;
  const tStart = t0 + c.warmupMs;
  const tEnd = tStart + c.durationMs;
  const planned = Math.ceil((c.warmupMs + c.durationMs) / interval) + 1;
  const per = Math.ceil(planned / socks.length) + 2;
  for (const s of socks) {
    s.times = new Float64Array(per);
    s.sentAt = new Float64Array(per);
  }
  let k = 0;
  let windowAcks = 0;
  let maxLate = 0;
  let cpu = process.cpuUsage();
  const lat = new Samples();
  const service = new Samples();

  onAck = (s, now, seq, ref) => {
    const i = s.acked++;
    if (ref !== s.acked) refMismatches++;
    s.seqs.push(seq);
    const scheduled = s.times[i];
    if (scheduled >= tStart && scheduled < tEnd) {
      windowAcks++;
      lat.push(now - scheduled);
      service.push(now - s.sentAt[i]);
    }
  };
  const tick = () => {
    const now = performance.now();
    let due = t0 + k * interval;
    while (due <= now && due < tEnd) {
      const s = socks[k % socks.length];
      if (s.sent < per) {
        s.times[s.sent] = due;
        s.sentAt[s.sent] = now;
        if (due >= tStart && now - due > maxLate) maxLate = now - due;
        s.sent++;
        s.c.send(frameFor(s, text));
      }
      k++;
      due = t0 + k * interval;
    }
    if (due < tEnd) setTimeout(tick, Math.max(0, Math.min(1, due - performance.now())));
    else {
      const used = process.cpuUsage(cpu);
      const deadline = performance.now() + c.drainMs;
      const check = () => {
        const pending = socks.some((s) => s.sent > s.acked && !s.c.closed);
        if (pending && performance.now() < deadline) return void setTimeout(check, 10);
        onAck = () => undefined;
        finish(windowAcks, c.durationMs, lat, service, maxLate, (used.user + used.system) / 1000);
      };
      check();
    }
  };
  setTimeout(() => (cpu = process.cpuUsage()), c.warmupMs + 5);
  setTimeout(tick, 5);
};

const history = async (c: Extract<Command, { cmd: 'history' }>) => {
  const s = socks[0];
  const out: Record<string, number[]> = {};
  for (const room of c.rooms) {
    const ref = `h:${room}`;
    out[room] = await new Promise<number[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no room.history for ${room}`)), 10_000);
      historyWaiters.set(ref, (messages) => {
        clearTimeout(timer);
        historyWaiters.delete(ref);
        resolve(messages.map((m) => m.seq));
      });
      s.c.send(JSON.stringify({ type: 'room.history', ref, room, limit: c.limit }));
    });
  }
  send({ ev: 'history', rooms: out });
};

let progressTimer: NodeJS.Timeout | undefined;

process.on('message', (c: Command) => {
  const fail = (e: unknown) => send({ ev: 'error', message: String((e as Error)?.stack ?? e) });
  try {
    switch (c.cmd) {
      case 'connect':
        connectAll(c).catch(fail);
        return;
      case 'closed':
        runClosed(c);
        return;
      case 'open':
        runOpen(c);
        return;
      case 'progress':
        if (c.min > progressMin) {
          progressMin = c.min;
          onProgress();
        }
        return;
      case 'report-progress':
        // The slowest socket's count of chat.message frames: the sender's fan-out credit.
        progressTimer = setInterval(() => {
          let min = Infinity;
          for (const s of socks) if (!s.c.closed && s.msgs < min) min = s.msgs;
          send({ ev: 'progress', min: min === Infinity ? 0 : min });
        }, c.everyMs);
        return;
      case 'count-start':
        counting = true;
        counted = 0;
        countStartedAt = performance.now();
        countCpu = process.cpuUsage();
        return;
      case 'count-stop': {
        counting = false;
        const cpu = process.cpuUsage(countCpu);
        send({
          ev: 'counted',
          frames: counted,
          ms: performance.now() - countStartedAt,
          total: delivered,
          sockets: socks.length,
          cpuMs: (cpu.user + cpu.system) / 1000,
          orderGaps,
          errors,
          errorSamples,
          closes,
          closeSamples,
        });
        return;
      }
      case 'history':
        history(c).catch(fail);
        return;
      case 'exit':
        if (progressTimer) clearInterval(progressTimer);
        for (const s of socks) s.c?.close();
        setTimeout(() => process.exit(0), 50);
        return;
    }
  } catch (e) {
    fail(e);
  }
});

// The bench going away takes its clients with it.
process.on('disconnect', () => process.exit(0));
send({ ev: 'ready' });
