// The exact test: is a point inside a fence's shape? A point on the boundary (an edge, a
// corner, a hole's edge, a circle's rim) counts as inside, as the protocol says; a point
// is inside a MultiPolygon when it is inside any of its polygons. The
// index sends every point it is not sure about here, and the oracle tests every fence
// with it, so both read shapes the same way.
import pointInPolygon from 'point-in-polygon-hao';
import { BANDED_FROM, Bands, bandedPointInPolygon, bandsOf, edgeCount } from './bands';
import { Box, Unit, chord2, chord2Of, unitOf } from './sphere';
import { Placed, placeRings, xRange } from './rings';
import { Rings, Shape, polygonsOf } from './shape';

/** A shape made ready for testing many points. */
export type Region = CircleRegion | AreaRegion;

// A circle holds the points whose great-circle distance from its centre is within its
// radius, tested as a chord between unit vectors: no trigonometry per fence.
export interface CircleRegion extends Unit {
  readonly kind: 'circle';
  readonly lat: number;
  readonly lng: number;
  readonly radius: number;
  /** The chord² of the radius. */
  readonly within: number;
}

/** One polygon: `west`/`east` bound its outer ring, unwrapped like it (see rings.ts). */
export interface Part extends Box {
  readonly rings: Placed;
  /** Its edges in bands, when it has many (see bands.ts). */
  readonly bands?: Bands;
}

/** A Polygon or a MultiPolygon: a point is inside when it is inside any part. `south`/`north` bound them all. */
export interface AreaRegion {
  readonly kind: 'area';
  readonly parts: readonly Part[];
  readonly south: number;
  readonly north: number;
}

/** A point to test against many regions: its unit vector is worked out once. */
export interface Point {
  readonly lat: number;
  readonly lng: number;
  readonly unit: Unit;
}

export const pointAt = (lat: number, lng: number): Point => ({ lat, lng, unit: unitOf(lat, lng) });

export const regionOf = (shape: Shape): Region => {
  if (shape.type === 'Circle') {
    const [lng, lat] = shape.center;
    return { kind: 'circle', lat, lng, radius: shape.radius, ...unitOf(lat, lng), within: chord2Of(shape.radius) };
  }
  const parts = polygonsOf(shape).map(partOf);
  return { kind: 'area', parts, south: Math.min(...parts.map((p) => p.south)), north: Math.max(...parts.map((p) => p.north)) };
};

const partOf = (coordinates: Rings): Part => {
  const rings = placeRings(coordinates);
  const [west, east] = xRange(rings[0]);
  let south = Infinity;
  let north = -Infinity;
  for (const [, y] of rings[0]) {
    if (y < south) south = y;
    if (y > north) north = y;
  }
  return { rings, west, east, south, north, ...(edgeCount(rings) >= BANDED_FROM ? { bands: bandsOf(rings, south, north) } : {}) };
};

export const holds = (region: Region, { lat, lng, unit }: Point): boolean => {
  if (region.kind === 'circle') return chord2(unit, region) <= region.within;
  if (lat < region.south || lat > region.north) return false;
  for (const part of region.parts) if (partHolds(part, lat, lng)) return true;
  return false;
};

const partHolds = (part: Part, lat: number, lng: number): boolean => {
  if (lat < part.south || lat > part.north) return false;
  // The outer ring is narrower than a turn, so at most one of lng, lng ± 360 falls in it.
  const x = lng < part.west ? lng + 360 : lng > part.east ? lng - 360 : lng;
  if (x < part.west || x > part.east) return false;
  return (part.bands === undefined ? pointInPolygon([x, lat], part.rings) : bandedPointInPolygon(part.bands, x, lat)) !== false;
};

// Shapes are immutable values: a shape tested many times is made ready once.
const regions = new WeakMap<Shape, Region>();

export const contains = (shape: Shape, lat: number, lng: number): boolean => {
  let region = regions.get(shape);
  if (region === undefined) {
    region = regionOf(shape);
    regions.set(shape, region);
  }
  return holds(region, pointAt(lat, lng));
};
