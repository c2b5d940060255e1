// The index against the oracle (every fence tested with `contains`, no index), and the
// transition rules fed by each, over seeded random fences and device walks. A failure
// prints its seed; replay one with GEO_SEED=<seed> npx jest src/domain/geo/index.spec.ts
import { isRight } from 'fp-ts/Either';
import { contains } from './contains';
import { Geometry, loadGeometry } from './geos';
import { FenceIndex } from './index';
import { Position, Shape, polygonsOf } from './shape';
import { admitShape } from './validity';
import { EARTH_RADIUS_M } from './sphere';
import { DeviceState, FenceEvent, fenceCreated, fenceDeleted, locate } from './transitions';
import { Rng, seeded } from '../../../spec/support/random';

const RAD = Math.PI / 180;

type Random = Rng;
const between = (r: Random, lo: number, hi: number) => lo + (hi - lo) * r();
const logBetween = (r: Random, lo: number, hi: number) => Math.exp(between(r, Math.log(lo), Math.log(hi)));
const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** The point `distance` metres from (lat, lng) along `bearing`, as [lng, lat] in range. */
const offset = (lat: number, lng: number, distance: number, bearing: number): Position => {
  const d = distance / EARTH_RADIUS_M;
  const φ1 = lat * RAD;
  const φ2 = Math.asin(Math.sin(φ1) * Math.cos(d) + Math.cos(φ1) * Math.sin(d) * Math.cos(bearing));
  const λ = lng * RAD + Math.atan2(Math.sin(bearing) * Math.sin(d) * Math.cos(φ1), Math.cos(d) - Math.sin(φ1) * Math.sin(φ2));
  const wrapped = ((((λ / RAD + 180) % 360) + 360) % 360) - 180;
  return [wrapped, Math.max(-90, Math.min(90, φ2 / RAD))];
};

// A star-shaped ring around (lat, lng): corners at sorted bearings, radii in [lo, hi] metres.
const starRing = (r: Random, lat: number, lng: number, lo: number, hi: number, corners: number): Position[] => {
  const bearings = Array.from({ length: corners }, () => between(r, 0, 2 * Math.PI)).sort((a, b) => a - b);
  const ring = bearings.map((b) => offset(lat, lng, between(r, lo, hi), b));
  return [...ring, ring[0]];
};

const site = { paris: [48.86, 2.35], antimeridian: [-17.7, 179.97], 'north pole': [89.7, 30], 'south pole': [-89.8, -120], equator: [0, 0] } as const;
type Site = keyof typeof site;

let geometry: Geometry;
beforeAll(async () => {
  geometry = await loadGeometry();
});

// A polygon of the MultiPolygon: a star, with a hole in some, around a point near (lat, lng).
const starPolygon = (r: Random, lat: number, lng: number, size: number): Position[][] => {
  const [plng, plat] = offset(lat, lng, between(r, 0, size * 3), between(r, 0, 2 * Math.PI));
  const part = size * between(r, 0.2, 1);
  return [
    starRing(r, plat, plng, part * 0.5, part, 3 + Math.floor(r() * 20)),
    ...(r() < 0.5 ? [starRing(r, plat, plng, part * 0.1, part * 0.4, 3 + Math.floor(r() * 8))] : []),
  ];
};

// Fences of every kind the protocol allows, around a site. Shapes that are not valid
// (a random star can fold over once mapped to lng/lat near a pole; the parts of a
// MultiPolygon can overlap) are drawn again.
const randomShape = (r: Random, [lat, lng]: readonly [number, number]): Shape => {
  for (;;) {
    const kind = r();
    const size = kind < 0.1 ? between(r, 1, 3) : kind < 0.2 ? between(r, 50_000, 100_000) : logBetween(r, 5, 20_000);
    const [clng, clat] = offset(lat, lng, logBetween(r, 1, 30_000), between(r, 0, 2 * Math.PI));
    const raw = r() < 0.4
      ? { type: 'Circle', center: [clng, clat], radius: size }
      : r() < 0.3
        ? { type: 'MultiPolygon', coordinates: Array.from({ length: 2 + Math.floor(r() * 3) }, () => starPolygon(r, clat, clng, size)) }
      : r() < 0.05
        ? { type: 'Polygon', coordinates: [starRing(r, clat, clng, 500_000, 1_500_000, 64)] } // continent-sized
        : {
          type: 'Polygon',
          coordinates: [
            starRing(r, clat, clng, size * 0.5, size, 3 + Math.floor(r() * 30)),
            ...(r() < 0.4 ? [starRing(r, clat, clng, size * 0.1, size * 0.4, 3 + Math.floor(r() * 10))] : []),
          ],
        };
    const admitted = admitShape(raw, 'fence.shape', geometry);
    if (isRight(admitted)) return admitted.right.shape;
  }
};

interface World {
  devices: Map<string, DeviceState>;
}

const sorted = (xs: readonly string[]) => [...xs].sort();

const runWalk = (seed: number, where: Site, stats: Record<string, number>): void => {
  const r = seeded(seed);
  const fail = (what: string) => {
    throw new Error(`seed ${seed} (${where}): ${what}\nreplay: GEO_SEED=${seed} npx jest src/domain/geo/index.spec.ts`);
  };
  const fences = new Map<string, { shape: Shape; dwellMs: number | undefined }>();
  const index = new FenceIndex();
  let nextId = 0;
  const createFence = (id: string, at: number, worlds: World[]) => {
    const fence = { shape: randomShape(r, site[where]), dwellMs: pick(r, [undefined, 0, 10_000, 120_000]) };
    fences.set(id, fence);
    index.add({ id, shape: fence.shape });
    compareChanges(worlds.map((w) => fenceCreated(w.devices.values(), { id, shape: fence.shape }, at)), worlds, `create ${id}`);
  };
  const compareChanges = (results: { devices: readonly DeviceState[]; events: readonly FenceEvent[] }[], worlds: World[], what: string) => {
    const [a, b] = results.map((x) => JSON.stringify(x.events));
    if (a !== b) fail(`${what}: events differ\nindex:  ${a}\noracle: ${b}`);
    results.forEach((x, i) => x.devices.forEach((d) => worlds[i].devices.set(d.device, d)));
    stats.fenceEvents += results[0].events.length;
  };
  const byIndex: World = { devices: new Map() };
  const byOracle: World = { devices: new Map() };
  const worlds = [byIndex, byOracle];
  let now = 1_700_000_000_000;
  for (let i = 0; i < 25; i++) createFence(`f${nextId++}`, now, worlds);

  const positions = new Map<string, Position>();
  for (let d = 0; d < 12; d++) positions.set(`d${d}`, offset(site[where][0], site[where][1], logBetween(r, 1, 20_000), between(r, 0, 2 * Math.PI)));

  for (let step = 0; step < 1200; step++) {
    now += Math.floor(between(r, 0, 30_000));
    const device = `d${Math.floor(r() * positions.size)}`;
    const [lng0, lat0] = positions.get(device)!;
    const move = r();
    const fence = [...fences.values()][Math.floor(r() * fences.size)].shape;
    let point: Position;
    if (move < 0.03) point = r() < 0.5 ? [pick(r, [-180, 180]), lat0] : [lng0, pick(r, [-90, 90])];
    else if (move < 0.6) point = offset(lat0, lng0, logBetween(r, 0.3, 30_000), between(r, 0, 2 * Math.PI));
    else if (fence.type === 'Circle') point = offset(fence.center[1], fence.center[0], fence.radius * (move < 0.8 ? 1 : r()), between(r, 0, 2 * Math.PI));
    else {
      const ring = pick(r, polygonsOf(fence).flat());
      const i = Math.floor(r() * (ring.length - 1));
      point = move < 0.8 ? ring[i] : [(ring[i][0] + ring[i + 1][0]) / 2, (ring[i][1] + ring[i + 1][1]) / 2];
      if (Math.abs(ring[i][0] - ring[i + 1][0]) > 180) point = ring[i]; // the plain midpoint is on the far side of the globe
      if (move < 0.8 && !contains(fence, point[1], point[0])) fail(`corner ${point} of a polygon is not inside it`);
    }
    positions.set(device, point);
    const [lng, lat] = point;

    const found = sorted(index.containing(lat, lng));
    const truth = sorted([...fences].filter(([, f]) => contains(f.shape, lat, lng)).map(([id]) => id));
    if (found.join() !== truth.join()) fail(`step ${step}: at [${lng}, ${lat}] the index found [${found}], the oracle [${truth}]`);
    stats.lookups++;
    stats.hits += truth.length;

    const at = r() < 0.05 ? now - Math.floor(between(r, 1, 60_000)) : now;
    const update = { device, lat, lng, at };
    const dwellOf = (id: string) => fences.get(id)?.dwellMs;
    const [a, b] = [[byIndex, found], [byOracle, truth]].map(([w, inside]) => {
      const world = w as World;
      const result = locate(world.devices.get(device), update, inside as string[], dwellOf);
      world.devices.set(device, result.next);
      return result;
    });
    if (JSON.stringify(a) !== JSON.stringify(b)) fail(`step ${step}: transitions differ\nindex:  ${JSON.stringify(a.events)}\noracle: ${JSON.stringify(b.events)}`);
    if (a.stale) stats.stale++;
    for (const e of a.events) stats[e.event]++;

    if (step % 40 === 39) {
      const change = r();
      const ids = [...fences.keys()];
      if (change < 0.4) createFence(`f${nextId++}`, now, worlds);
      else if (change < 0.7) {
        stats.replaced++;
        createFence(pick(r, ids), now, worlds);
      } else {
        const id = pick(r, ids);
        fences.delete(id);
        index.remove(id);
        compareChanges(worlds.map((w) => fenceDeleted(w.devices.values(), id, now)), worlds, `delete ${id}`);
      }
      if (index.size !== fences.size) fail(`index holds ${index.size} fences, the oracle ${fences.size}`);
    }
  }
};

describe('FenceIndex against the oracle, and transitions fed by each', () => {
  const seeds = process.env.GEO_SEED !== undefined ? [Number(process.env.GEO_SEED)] : [1, 2, 3, 4];

  (Object.keys(site) as Site[]).forEach((where, n) => {
    it(`agrees on every update of random walks near ${where}`, () => {
      const stats: Record<string, number> = { lookups: 0, hits: 0, enter: 0, exit: 0, dwell: 0, stale: 0, replaced: 0, fenceEvents: 0 };
      for (const seed of seeds) runWalk(process.env.GEO_SEED !== undefined ? seed : seed * 7919 + n * 104_729, where, stats);
      // Not vacuous: points were inside fences, and every kind of change happened.
      expect(stats.hits / stats.lookups).toBeGreaterThan(0.3);
      for (const kind of ['enter', 'exit', 'dwell', 'stale', 'replaced', 'fenceEvents']) expect([kind, stats[kind]]).not.toEqual([kind, 0]);
    });
  });
});

describe('FenceIndex', () => {
  const square = (w: number, s: number, e: number, n: number): Shape => ({ type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] });

  it('finds, replaces and removes fences by id', () => {
    const index = new FenceIndex();
    expect(index.containing(48.86, 2.35)).toEqual([]);
    index.add({ id: 'home', shape: { type: 'Circle', center: [2.35, 48.86], radius: 50 } });
    index.add({ id: 'city', shape: square(2.2, 48.8, 2.5, 48.9) });
    expect(index.size).toBe(2);
    expect(sorted(index.containing(48.86, 2.35))).toEqual(['city', 'home']);
    expect(index.containing(48.85, 2.3)).toEqual(['city']);

    index.add({ id: 'home', shape: { type: 'Circle', center: [2.3, 48.85], radius: 50 } });
    expect(index.size).toBe(2);
    expect(index.containing(48.86, 2.35)).toEqual(['city']);
    expect(sorted(index.containing(48.85, 2.3))).toEqual(['city', 'home']);

    expect(index.remove('city')).toBe(true);
    expect(index.remove('city')).toBe(false);
    expect(index.size).toBe(1);
    expect(index.containing(48.86, 2.35)).toEqual([]);
    expect(index.containing(48.85, 2.3)).toEqual(['home']);
  });

  it('counts a point on an edge or a corner as inside', () => {
    const index = new FenceIndex();
    index.add({ id: 'sq', shape: square(2.3, 48.8, 2.4, 48.9) });
    expect(index.containing(48.8, 2.3)).toEqual(['sq']);
    expect(index.containing(48.85, 2.4)).toEqual(['sq']);
    expect(index.containing(48.85, 2.4000001)).toEqual([]);
  });
});
