// The fence sets of bench:geo: the synthetic fences of workload.ts, and published
// borders as a user would send them: Natural Earth's countries at 10 km
// (@geo-maps/countries-land-10km: 220 countries, Polygons and MultiPolygons), and the US
// Census states and counties at 1:10m (us-atlas, TopoJSON, through topojson-client).
// A border is sent as it is published, with `"repair": true`; `shape` is what the server
// makes of it (the same admitShape), which the lookups and the oracle use. Borders that
// repair leaves with no area (a few counties simplified to a line) are left out, as the
// server refuses them.
import { performance } from 'perf_hooks';
import { isRight } from 'fp-ts/Either';
import { feature } from 'topojson-client';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { Topology } from 'topojson-specification';
import type { Geometry } from '../../src/domain/geo/geos';
import { admitShape } from '../../src/domain/geo/validity';
import { Area, FenceSpec, SYNTHETIC_AREA, makeFences } from './workload';

export const SET_NAMES = ['synthetic', 'countries', 'states', 'counties'] as const;
export type SetName = (typeof SET_NAMES)[number];

export interface FenceSet {
  readonly name: SetName;
  readonly fences: readonly FenceSpec[];
  /** Where lookups are drawn and devices walk. */
  readonly area: Area;
  /** What the server's validity and repair made of the published shapes, in process; the invalid ones are the repaired and the refused. */
  readonly admit: { readonly ms: number; readonly positions: number; readonly repaired: number; readonly refused: number };
}

/** The whole world but the polar caps. */
const WORLD: Area = { south: -60, north: 80, west: -180, east: 180 };
/** The contiguous United States. */
const US: Area = { south: 24.4, north: 49.4, west: -125, east: -66.9 };

type Borders = FeatureCollection<Polygon | MultiPolygon>;

const published = (name: SetName): Borders => {
  if (name === 'countries') return (require('@geo-maps/countries-land-10km') as () => Borders)();
  const topology = require(`us-atlas/${name}-10m.json`) as Topology;
  return feature(topology, topology.objects[name]) as Borders;
};

const positionsOf = (shape: unknown): number => JSON.stringify((shape as { coordinates: unknown }).coordinates).split('],[').length;

export const fenceSet = (name: SetName, seed: number, synthetic: number, geometry: Geometry): FenceSet => {
  if (name === 'synthetic') {
    const t0 = performance.now();
    const fences = makeFences(seed, synthetic, geometry);
    return { name, fences, area: SYNTHETIC_AREA, admit: { ms: Math.round(performance.now() - t0), positions: fences.reduce((n, f) => n + (f.shape.type === 'Circle' ? 1 : positionsOf(f.shape)), 0), repaired: 0, refused: 0 } };
  }
  const fences: FenceSpec[] = [];
  let repaired = 0;
  let refused = 0;
  let positions = 0;
  const t0 = performance.now();
  published(name).features.forEach((f, i) => {
    if (f.geometry === null) return;
    const admitted = admitShape(f.geometry, 'fence.shape', geometry, true);
    if (!isRight(admitted)) {
      refused++;
      return;
    }
    if (admitted.right.repaired) repaired++;
    positions += positionsOf(f.geometry);
    fences.push({ id: `${name}-${i}`, raw: f.geometry, shape: admitted.right.shape });
  });
  return { name, fences, area: name === 'countries' ? WORLD : US, admit: { ms: Math.round(performance.now() - t0), positions, repaired, refused } };
};
