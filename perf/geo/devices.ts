// One devices process (forked by bench.ts): a few sockets, each the only socket of its
// user and streaming `location.update` with `ref` for many devices, round-robin, each
// device along its own seeded walk (workload.ts). Closed loop: a socket keeps at most
// `window` updates unacked. Acks of one socket come back in its send order (the
// server commits and answers in arrival order), so a ring of send times gives each
// ack's latency and `ref` is checked against the expected one.
// The socket is also its devices' owner, so it hears their fence events (the protocol
// tells the device's user); they are counted by device for the oracle check.
import { performance } from 'perf_hooks';
import { Client, connect } from '../chat/wire';
import { Geo, REF, deviceOf, geoKindOf, intField } from './frames';
import type { DeviceSocket, DevicesCommand, Placed, Streamed } from './ipc';
import { Walk } from './workload';
import { benchToken, wsPath } from '../common/tokens';

interface Sock {
  readonly spec: DeviceSocket;
  c: Client;
  sent: number;
  acked: number;
  /** The next device to move, as an index into spec.devices. */
  cursor: number;
  times: Float64Array;
  mask: number;
}

const send = (m: unknown) => process.send?.(m);

let socks: Sock[] = [];
let walks = new Map<number, Walk>();
let updates = new Int32Array(0);
let enters = new Int32Array(0);
let exits = new Int32Array(0);
let dwells = 0;
let errors = 0;
const errorSamples: string[] = [];
let closes = 0;
const closeSamples: string[] = [];
let refMismatches = 0;

let onAck: (s: Sock, now: number) => void = () => undefined;

const frameHandler = (s: Sock) => (b: Buffer, st: number, en: number) => {
  switch (geoKindOf(b, st, en)) {
    case Geo.Ack:
      if (intField(b, st, en, REF) !== s.acked) refMismatches++;
      onAck(s, performance.now());
      return;
    case Geo.Enter:
      enters[deviceOf(b, st, en)]++;
      return;
    case Geo.Exit:
      exits[deviceOf(b, st, en)]++;
      return;
    case Geo.Dwell:
      dwells++;
      return;
    case Geo.Error:
      errors++;
      if (errorSamples.length < 5) errorSamples.push(b.toString('utf8', st, Math.min(en, st + 300)));
      return;
  }
};

const problems = () => ({ errors, errorSamples, closes, closeSamples });

const connectAll = async (c: Extract<DevicesCommand, { cmd: 'connect' }>) => {
  const t0 = performance.now();
  updates = new Int32Array(c.deviceCount);
  enters = new Int32Array(c.deviceCount);
  exits = new Int32Array(c.deviceCount);
  walks = new Map();
  for (const spec of c.sockets) for (const d of spec.devices) walks.set(d, new Walk(c.seed, d, c.stepM, c.area));
  socks = c.sockets.map((spec) => ({ spec, c: undefined as unknown as Client, sent: 0, acked: 0, cursor: 0, times: new Float64Array(0), mask: 0 }));
  let next = 0;
  const worker = async () => {
    while (next < socks.length) {
      const s = socks[next++];
      s.c = await connect(c.client, {
        port: c.port,
        // Device ids are d0, d1, …: the claim lists them after a pattern that does not match.
        path: wsPath(s.spec.user, c.auth ? await benchToken(s.spec.user, { devices: ['fleet-*', 'd*'] }) : undefined),
        onFrame: frameHandler(s),
        onClose: (why) => {
          closes++;
          if (closeSamples.length < 5) closeSamples.push(`${s.spec.user}: ${why}`);
        },
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, c.concurrency) }, worker));
  send({ ev: 'connected', sockets: socks.length, devices: walks.size, ms: performance.now() - t0 });
};

// The ref is the socket's count of updates sent before this one, so the n-th ack must carry n.
const sendUpdate = (s: Sock, device: number, w: Walk) => {
  s.times[s.sent & s.mask] = performance.now();
  s.c.send(`{"type":"location.update","ref":${s.sent},"device":"d${device}","lat":${w.lat},"lng":${w.lng}}`);
  s.sent++;
  updates[device]++;
};

const ringFor = (window: number) => {
  let n = 1;
  while (n < window) n <<= 1;
  for (const s of socks) {
    s.times = new Float64Array(n);
    s.mask = n - 1;
  }
};

/** Waits until every socket has its acks (or is closed), or the deadline; then `done`. */
const drain = (drainMs: number, done: () => void) => {
  const deadline = performance.now() + drainMs;
  const check = () => {
    const pending = socks.some((s) => s.sent > s.acked && !s.c.closed);
    if (pending && performance.now() < deadline) return void setTimeout(check, 5);
    onAck = () => undefined;
    done();
  };
  check();
};

const place = (c: Extract<DevicesCommand, { cmd: 'place' }>) => {
  const t0 = performance.now();
  ringFor(c.window);
  const base = socks.map((s) => s.sent);
  const pump = (s: Sock) => {
    const n = s.spec.devices.length;
    while (s.cursor < n && s.sent - s.acked < c.window) {
      const d = s.spec.devices[s.cursor++];
      sendUpdate(s, d, walks.get(d) as Walk);
    }
  };
  onAck = (s) => {
    s.acked++;
    pump(s);
  };
  for (const s of socks) pump(s);
  const waitSent = () => {
    if (socks.some((s) => s.cursor < s.spec.devices.length && !s.c.closed)) return void setTimeout(waitSent, 5);
    drain(c.drainMs, () => {
      for (const s of socks) s.cursor = 0;
      const placed: Placed = {
        ev: 'placed',
        sent: socks.reduce((a, s, i) => a + s.sent - base[i], 0),
        acked: socks.reduce((a, s, i) => a + s.acked - base[i], 0),
        ms: performance.now() - t0,
        ...problems(),
      };
      send(placed);
    });
  };
  waitSent();
};

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

const stream = (c: Extract<DevicesCommand, { cmd: 'stream' }>) => {
  ringFor(c.window);
  const base = socks.map((s) => ({ sent: s.sent, acked: s.acked }));
  const tStart = performance.now() + c.warmupMs;
  const tEnd = tStart + c.durationMs;
  let sending = true;
  let windowAcks = 0;
  let cpu = process.cpuUsage();
  const lat = new Samples();
  const pump = (s: Sock) => {
    const devices = s.spec.devices;
    while (sending && s.sent - s.acked < c.window) {
      const d = devices[s.cursor];
      s.cursor = s.cursor + 1 === devices.length ? 0 : s.cursor + 1;
      const w = walks.get(d) as Walk;
      w.step();
      sendUpdate(s, d, w);
    }
  };
  onAck = (s, now) => {
    const sentAt = s.times[s.acked & s.mask];
    s.acked++;
    if (now >= tStart && now <= tEnd) {
      windowAcks++;
      lat.push(now - sentAt);
    }
    pump(s);
  };
  setTimeout(() => (cpu = process.cpuUsage()), c.warmupMs);
  setTimeout(() => {
    sending = false;
    const used = process.cpuUsage(cpu);
    drain(c.drainMs, () => {
      const result: Streamed = {
        ev: 'streamed',
        sockets: socks.length,
        windowAcks,
        windowMs: c.durationMs,
        sent: socks.reduce((a, s, i) => a + s.sent - base[i].sent, 0),
        acked: socks.reduce((a, s, i) => a + s.acked - base[i].acked, 0),
        refMismatches,
        latencies: lat.take(),
        updates,
        enters,
        exits,
        dwells,
        cpuMs: (used.user + used.system) / 1000,
        ...problems(),
      };
      send(result);
    });
  }, c.warmupMs + c.durationMs);
  for (const s of socks) pump(s);
};

process.on('message', (c: DevicesCommand) => {
  const fail = (e: unknown) => send({ ev: 'error', message: String((e as Error)?.stack ?? e) });
  try {
    switch (c.cmd) {
      case 'connect':
        connectAll(c).catch(fail);
        return;
      case 'place':
        place(c);
        return;
      case 'stream':
        stream(c);
        return;
      case 'exit':
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
