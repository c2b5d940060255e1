// The fences go in through the protocol: `fence.create` with the fence's id and shape,
// from a few sockets of the bench process, each with a window of unacked creates.
// A create is acked (`fence.created`) after its commit, so fences/s is committed fences.
import { performance } from 'perf_hooks';
import { Client, ClientKind, connect } from '../chat/wire';
import { Geo, REF, geoKindOf, intField } from './frames';
import type { FenceSpec } from './workload';
import { benchToken, wsPath } from '../common/tokens';

export interface CreateResult {
  readonly fences: number;
  readonly created: number;
  readonly ms: number;
  readonly fencesPerSec: number;
  readonly sockets: number;
  readonly window: number;
  readonly duplicateAcks: number;
  readonly errors: number;
  readonly errorSamples: string[];
  readonly closes: number;
}

export const createFences = async (port: number, client: ClientKind, fences: readonly FenceSpec[], sockets: number, window: number, timeoutMs: number, auth = false): Promise<CreateResult> => {
  // Frames are made before the clock starts: the server's cost is what is measured.
  // As a user sends published borders: with repair (a valid shape is taken as it is).
  const frames = fences.map((f, i) => JSON.stringify({ type: 'fence.create', ref: i, fence: { id: f.id, name: `fence ${f.id}`, shape: f.raw, repair: true } }));
  const acked = new Uint8Array(fences.length);
  let created = 0;
  let duplicateAcks = 0;
  let errors = 0;
  let closes = 0;
  const errorSamples: string[] = [];
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const settle = () => created + errors >= fences.length && done();

  let next = 0;
  const conns: { c: Client; inFlight: number }[] = [];
  const pump = (s: { c: Client; inFlight: number }) => {
    while (s.inFlight < window && next < frames.length) {
      s.inFlight++;
      s.c.send(frames[next++]);
    }
  };
  for (let i = 0; i < sockets; i++) {
    const s = { c: undefined as unknown as Client, inFlight: 0 };
    s.c = await connect(client, {
      port,
      path: wsPath(`fence-maker-${i}`, auth ? await benchToken(`fence-maker-${i}`, {}) : undefined),
      onFrame: (b, st, en) => {
        const kind = geoKindOf(b, st, en);
        if (kind === Geo.Created) {
          const ref = intField(b, st, en, REF);
          if (acked[ref]) duplicateAcks++;
          else created++;
          acked[ref] = 1;
        } else if (kind === Geo.Error) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(b.toString('utf8', st, Math.min(en, st + 300)));
        } else return;
        s.inFlight--;
        pump(s);
        settle();
      },
      onClose: () => {
        closes++;
        done();
      },
    });
    conns.push(s);
  }
  const t0 = performance.now();
  for (const s of conns) pump(s);
  const timer = setTimeout(done, timeoutMs);
  await finished;
  clearTimeout(timer);
  const ms = performance.now() - t0;
  for (const s of conns) s.c.close();
  return { fences: fences.length, created, ms: Math.round(ms), fencesPerSec: Math.round((created / ms) * 1000), sockets, window, duplicateAcks, errors, errorSamples, closes };
};
