// Which fences hold a point, in process: FenceIndex.containing against a brute-force
// scan with the exact test (contains.ts) over every fence, and against
// @turf/boolean-point-in-polygon over every fence (circles as 128-gons for turf, every
// feature with its bbox). Checks the three agree on a sample; reports lookups/s of each,
// the ratios, the index's build time and heap, and h3-js latLngToCell alone (the one
// call every index lookup makes, so the floor of its cost).
//   node --expose-gc dist/perf/geo/lookup.js [--fences 10000] [--positions 100000] [--seed 1]
// (bench.ts runs it as its first part; without --expose-gc the heap figure includes
// garbage not yet collected)
import { latLngToCell } from 'h3-js';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { multiPolygon as turfMultiPolygon, polygon as turfPolygon } from '@turf/helpers';
import { holds, pointAt, regionOf } from '../../src/domain/geo/contains';
import { FenceIndex } from '../../src/domain/geo/index';
import { loadGeometry } from '../../src/domain/geo/geos';
import { Position, Shape, polygonsOf } from '../../src/domain/geo/shape';
import { Anatomy, anatomy } from './anatomy';
import { Area, FenceSpec, makeFences, offset, uniformPositions } from './workload';

export interface LookupOptions {
  readonly positions: number;
  readonly area?: Area;
  readonly seed: number;
  /** Lookups timed for the brute force and for turf, which are 10² to 10³ times slower. */
  readonly bruteSample: number;
  readonly turfSample: number;
  readonly rounds: number;
}

export interface VariantResult {
  readonly variant: string;
  readonly lookups: number;
  readonly ms: number;
  readonly lookupsPerSec: number;
  /** Per second of this process's CPU time: what the rate would be with a core to itself (the host may be shared). */
  readonly lookupsPerCpuSec: number;
  readonly meanHits: number;
}

export interface LookupResult {
  readonly fences: number;
  readonly index: VariantResult;
  readonly brute: VariantResult;
  readonly turf: VariantResult;
  readonly h3Floor: VariantResult;
  readonly build: { ms: number; perFenceMs: number; heapMb: number; gcExposed: boolean };
  readonly agreement: { sample: number; indexVsBruteMismatches: number; turfPolygonMismatches: number; turfCircleMismatches: number };
  readonly ratios: { indexOverBrute: number; indexOverTurf: number; bruteOverTurf: number; indexOverH3Floor: number };
  /** Where a lookup's time goes (undefined if the index's internals are not as expected). */
  readonly anatomy?: Anatomy;
  /** The index, built from these fences: the end-to-end oracle reuses it. */
  readonly built: FenceIndex;
}

// Turf tests a feature's bbox first when it has one, so give it one: the fair fight.
export const asTurf = (shape: Shape): Feature<Polygon | MultiPolygon> => {
  const polygons =
    shape.type === 'Circle'
      ? [[Array.from({ length: 129 }, (_, i) => [...offset(shape.center[1], shape.center[0], shape.radius, (2 * Math.PI * (i % 128)) / 128)])]]
      : polygonsOf(shape).map((rings) => rings.map((ring) => ring.map((p) => [...p])));
  const outers = polygons.map((rings) => rings[0]).flat();
  const xs = outers.map((p) => p[0]);
  const ys = outers.map((p) => p[1]);
  const bbox = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] as [number, number, number, number];
  return { ...(polygons.length === 1 ? turfPolygon(polygons[0]) : turfMultiPolygon(polygons)), bbox };
};

const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed / 1e6;
};

const sortedJoin = (xs: readonly string[]) => [...xs].sort().join();

/** The best of `rounds` passes over the first `count` positions, after a short warm-up. */
const timed = (variant: string, positions: readonly Position[], count: number, rounds: number, lookup: (p: Position) => number): VariantResult => {
  for (let i = 0; i < Math.min(count, 5_000); i++) lookup(positions[i]);
  let best = Infinity;
  let bestCpu = Infinity;
  let hits = 0;
  for (let round = 0; round < rounds; round++) {
    hits = 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < count; i++) hits += lookup(positions[i]);
    best = Math.min(best, performance.now() - start);
    const used = process.cpuUsage(cpu);
    bestCpu = Math.min(bestCpu, (used.user + used.system) / 1000);
  }
  return {
    variant,
    lookups: count,
    ms: Math.round(best),
    lookupsPerSec: Math.round((count / best) * 1000),
    lookupsPerCpuSec: Math.round((count / bestCpu) * 1000),
    meanHits: +(hits / count).toFixed(2),
  };
};

export const lookupBench = (fences: readonly FenceSpec[], o: LookupOptions): LookupResult => {
  const positions = uniformPositions(o.seed, o.positions, o.area);
  const turfFences = fences.map((f) => ({ id: f.id, circle: f.shape.type === 'Circle', feature: asTurf(f.shape) }));

  const heapBefore = heapMb();
  const buildStart = performance.now();
  const index = new FenceIndex();
  for (const fence of fences) index.add(fence);
  const buildMs = performance.now() - buildStart;
  const heapAfter = heapMb();

  // The oracle of the specs, made as fast as it fairly can be: every fence's region made
  // ready once, the point once per lookup, then the exact test over every fence.
  const regions = fences.map((f) => ({ id: f.id, region: regionOf(f.shape) }));
  const brute = ([lng, lat]: Position): string[] => {
    const point = pointAt(lat, lng);
    const found: string[] = [];
    for (const f of regions) if (holds(f.region, point)) found.push(f.id);
    return found;
  };
  const turf = ([lng, lat]: Position): string[] => {
    const found: string[] = [];
    for (const f of turfFences) if (booleanPointInPolygon([lng, lat], f.feature)) found.push(f.id);
    return found;
  };

  // Agreement on a sample: index and brute force must match exactly; turf may differ only
  // on circles, which it sees as 128-gons.
  const sample = Math.min(o.positions, o.turfSample);
  const circles = new Set(turfFences.filter((f) => f.circle).map((f) => f.id));
  let indexMismatches = 0;
  let turfPolygonMismatches = 0;
  let turfCircleMismatches = 0;
  for (const p of positions.slice(0, sample)) {
    const truth = brute(p);
    if (sortedJoin(index.containing(p[1], p[0])) !== sortedJoin(truth)) indexMismatches++;
    const byBrute = new Set(truth);
    const byTurf = new Set(turf(p));
    for (const id of new Set([...byBrute, ...byTurf])) {
      if (byBrute.has(id) === byTurf.has(id)) continue;
      if (circles.has(id)) turfCircleMismatches++;
      else turfPolygonMismatches++;
    }
  }

  const indexRun = timed('FenceIndex.containing', positions, o.positions, o.rounds, ([lng, lat]) => index.containing(lat, lng).length);
  const bruteRun = timed('brute force: the exact test over every fence', positions, Math.min(o.positions, o.bruteSample), 1, (p) => brute(p).length);
  const turfRun = timed('@turf/boolean-point-in-polygon over every fence', positions, sample, 1, (p) => turf(p).length);
  const finest = index.cells[0]?.res ?? 0;
  const h3Run = timed(`h3-js latLngToCell alone (res ${finest}, the index's finest)`, positions, o.positions, o.rounds, ([lng, lat]) => latLngToCell(lat, lng, finest).length & 1);

  const parts = anatomy(index, positions.slice(0, Math.min(o.positions, 20_000)), o.rounds);
  // Ratios of CPU-time rates: a shared host slows the wall clock of each variant differently.
  const ratio = (a: VariantResult, b: VariantResult, digits = 1) => +(a.lookupsPerCpuSec / b.lookupsPerCpuSec).toFixed(digits);
  return {
    fences: fences.length,
    index: indexRun,
    brute: bruteRun,
    turf: turfRun,
    h3Floor: h3Run,
    build: { ms: Math.round(buildMs), perFenceMs: +(buildMs / fences.length).toFixed(3), heapMb: +(heapAfter - heapBefore).toFixed(1), gcExposed: gc !== undefined },
    agreement: { sample, indexVsBruteMismatches: indexMismatches, turfPolygonMismatches, turfCircleMismatches },
    ratios: {
      indexOverBrute: ratio(indexRun, bruteRun),
      indexOverTurf: ratio(indexRun, turfRun),
      bruteOverTurf: ratio(bruteRun, turfRun, 2),
      indexOverH3Floor: ratio(indexRun, h3Run, 2),
    },
    ...(parts ? { anatomy: parts } : {}),
    built: index,
  };
};

/** One JSON line per variant, then build, agreement and ratios: the lines bench.ts emits too. */
export const lookupLines = (r: LookupResult): Record<string, unknown>[] => [
  ...[r.index, r.brute, r.turf, r.h3Floor].map((v) => ({ part: 'lookup', fences: r.fences, ...v })),
  { part: 'lookup', build: { fences: r.fences, ...r.build } },
  { part: 'lookup', agreement: r.agreement },
  { part: 'lookup', ratios: r.ratios },
  ...(r.anatomy ? [{ part: 'lookup', anatomy: r.anatomy }] : []),
];

if (require.main === module) {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const seed = arg('seed', 1);
  void loadGeometry().then((geometry) => {
    const r = lookupBench(makeFences(seed, arg('fences', 10_000), geometry), { positions: arg('positions', 100_000), seed, bruteSample: 2_000, turfSample: 500, rounds: 3 });
    for (const line of lookupLines(r)) console.log(JSON.stringify(line));
    if (r.agreement.indexVsBruteMismatches > 0 || r.agreement.turfPolygonMismatches > 0) process.exitCode = 1;
  });
}
