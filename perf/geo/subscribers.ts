// The "*" subscribers (forked by bench.ts): a few sockets, each subscribed to every
// fence, counting the fence events they are sent, by device and kind. Two `mark`s
// bracket the measured window (events/s delivered); `report` sends everything back.
import { performance } from 'perf_hooks';
import { Client, connect } from '../chat/wire';
import { Geo, deviceOf, geoKindOf } from './frames';
import type { SubscriberReport, SubscribersCommand } from './ipc';
import { benchToken, wsPath } from '../common/tokens';

interface Sub {
  c: Client;
  enters: Int32Array;
  exits: Int32Array;
  events: number;
  atMark: number[];
}

const send = (m: unknown) => process.send?.(m);

let subs: Sub[] = [];
let dwells = 0;
let errors = 0;
const errorSamples: string[] = [];
let closes = 0;
const closeSamples: string[] = [];
const marks: number[] = [];
let cpuAtMark = process.cpuUsage();
let cpuMs = 0;

const connectAll = async (c: Extract<SubscribersCommand, { cmd: 'connect' }>) => {
  const t0 = performance.now();
  subs = await Promise.all(
    Array.from({ length: c.count }, async (_, i) => {
      const sub: Sub = { c: undefined as unknown as Client, enters: new Int32Array(c.deviceCount), exits: new Int32Array(c.deviceCount), events: 0, atMark: [] };
      let subscribed: () => void = () => undefined;
      const ready = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`subscriber ${i}: no fence.subscribed within 20 s`)), 20_000);
        subscribed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      sub.c = await connect(c.client, {
        port: c.port,
        // A "*" subscriber hears every fence only as an admin.
        path: wsPath(`watcher-${i}`, c.auth ? await benchToken(`watcher-${i}`, { admin: true }) : undefined),
        onFrame: (b, st, en) => {
          switch (geoKindOf(b, st, en)) {
            case Geo.Enter:
              sub.events++;
              sub.enters[deviceOf(b, st, en)]++;
              return;
            case Geo.Exit:
              sub.events++;
              sub.exits[deviceOf(b, st, en)]++;
              return;
            case Geo.Dwell:
              sub.events++;
              dwells++;
              return;
            case Geo.Subscribed:
              subscribed();
              return;
            case Geo.Error:
              errors++;
              if (errorSamples.length < 5) errorSamples.push(b.toString('utf8', st, Math.min(en, st + 300)));
              return;
          }
        },
        onClose: (why) => {
          closes++;
          if (closeSamples.length < 5) closeSamples.push(`watcher-${i}: ${why}`);
        },
      });
      sub.c.send('{"type":"fence.subscribe","ref":"all","fences":"*"}');
      await ready;
      return sub;
    }),
  );
  send({ ev: 'connected', sockets: subs.length, ms: performance.now() - t0 });
};

process.on('message', (c: SubscribersCommand) => {
  const fail = (e: unknown) => send({ ev: 'error', message: String((e as Error)?.stack ?? e) });
  try {
    switch (c.cmd) {
      case 'connect':
        connectAll(c).catch(fail);
        return;
      case 'mark':
        marks.push(performance.now());
        for (const s of subs) s.atMark.push(s.events);
        if (marks.length === 1) cpuAtMark = process.cpuUsage();
        else if (marks.length === 2) {
          const used = process.cpuUsage(cpuAtMark);
          cpuMs = (used.user + used.system) / 1000;
        }
        return;
      case 'report': {
        const report: SubscriberReport = {
          ev: 'report',
          enters: subs.map((s) => s.enters),
          exits: subs.map((s) => s.exits),
          dwells,
          windowEvents: subs.map((s) => (s.atMark[1] ?? s.events) - (s.atMark[0] ?? 0)),
          windowMs: marks.length >= 2 ? marks[1] - marks[0] : NaN,
          total: subs.reduce((a, s) => a + s.events, 0),
          cpuMs,
          errors,
          errorSamples,
          closes,
          closeSamples,
        };
        send(report);
        return;
      }
      case 'exit':
        for (const s of subs) s.c?.close();
        setTimeout(() => process.exit(0), 50);
        return;
    }
  } catch (e) {
    fail(e);
  }
});

process.on('disconnect', () => process.exit(0));
send({ ev: 'ready' });
