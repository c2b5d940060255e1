// Polygon rings in the lng/lat plane. Edges are straight in (lng, lat) and take the
// short way round: an edge whose ends differ by more than 180° of longitude crosses the
// antimeridian (so [179, 0] → [-179, 0] is 2° wide, not 358°). `placeRings` unwraps each
// ring so that longitude runs on continuously along it (it may leave [-180, 180]), and
// moves each hole by whole turns next to its outer ring. The validity test, the exact test
// and the cover all work on placed rings, so they agree on every polygon.
import type { Position } from './shape';

/** Placed rings: [x, lat] with x an unwrapped longitude; the first ring is the outer one. */
export type Placed = number[][][];

/** The longitude step from `from` to `to` the short way, in (-180, 180]. */
export const lngStep = (from: number, to: number): number => {
  const d = to - from;
  return d > 180 ? d - 360 : d <= -180 ? d + 360 : d;
};

// Whole turns are counted rather than steps summed, so a closed ring stays exactly closed.
export const unwrap = (ring: readonly Position[]): number[][] => {
  let turns = 0;
  return ring.map(([lng, lat], i) => {
    const d = i === 0 ? 0 : lng - ring[i - 1][0];
    if (d > 180) turns -= 1;
    else if (d <= -180) turns += 1;
    return [lng + 360 * turns, lat];
  });
};

export const xRange = (ring: readonly number[][]): readonly [number, number] => {
  let west = Infinity;
  let east = -Infinity;
  for (const [x] of ring) {
    if (x < west) west = x;
    if (x > east) east = x;
  }
  return [west, east];
};

export const placeRings = (coordinates: readonly (readonly Position[])[]): Placed => {
  const outer = unwrap(coordinates[0]);
  const [west, east] = xRange(outer);
  const middle = (west + east) / 2;
  return [outer, ...coordinates.slice(1).map((ring) => {
    const hole = unwrap(ring);
    const shift = 360 * Math.round((middle - hole[0][0]) / 360);
    return shift === 0 ? hole : hole.map(([x, y]) => [x + shift, y]);
  })];
};

/** The closed segment a–b meets the closed rectangle [west, east] × [south, north] (Liang–Barsky). */
export const segmentMeetsBox = (
  ax: number, ay: number, bx: number, by: number,
  west: number, east: number, south: number, north: number,
): boolean => {
  if (Math.max(ax, bx) < west || Math.min(ax, bx) > east || Math.max(ay, by) < south || Math.min(ay, by) > north) return false;
  // The segment's bounding box meets the rectangle; clip the segment's parameter t to it.
  let t0 = 0;
  let t1 = 1;
  const clip = (p: number, q: number): boolean => {
    if (p === 0) return q >= 0;
    const r = q / p;
    if (p < 0) {
      if (r > t1) return false;
      if (r > t0) t0 = r;
    } else {
      if (r < t0) return false;
      if (r < t1) t1 = r;
    }
    return true;
  };
  const dx = bx - ax;
  const dy = by - ay;
  return clip(-dx, ax - west) && clip(dx, east - ax) && clip(-dy, ay - south) && clip(dy, north - ay);
};
