// The exact test: is a point inside a fence's shape? A point on the boundary (an edge, a
// corner, a hole's edge, a circle's rim) counts as inside, as the protocol says. The
// index sends every point it is not sure about here, and the oracle tests every fence
// with it, so both read shapes the same way.
import pointInPolygon from 'point-in-polygon-hao';
import { Box, Unit, chord2, chord2Of, unitOf } from './sphere';
import { Placed, placeRings, xRange } from './rings';
import type { Shape } from './shape';

/** A shape made ready for testing many points. */
export type Region = CircleRegion | PolygonRegion;

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

/** `west`/`east` bound the outer ring, unwrapped like it (see rings.ts). */
export interface PolygonRegion extends Box {
  readonly kind: 'polygon';
  readonly rings: Placed;
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
  const rings = placeRings(shape.coordinates);
  const [west, east] = xRange(rings[0]);
  let south = Infinity;
  let north = -Infinity;
  for (const [, y] of rings[0]) {
    if (y < south) south = y;
    if (y > north) north = y;
  }
  return { kind: 'polygon', rings, west, east, south, north };
};

export const holds = (region: Region, { lat, lng, unit }: Point): boolean => {
  if (region.kind === 'circle') return chord2(unit, region) <= region.within;
  if (lat < region.south || lat > region.north) return false;
  // The outer ring is narrower than a turn, so at most one of lng, lng ± 360 falls in it.
  const x = lng < region.west ? lng + 360 : lng > region.east ? lng - 360 : lng;
  if (x < region.west || x > region.east) return false;
  return pointInPolygon([x, lat], region.rings) !== false;
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
