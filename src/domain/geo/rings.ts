// Polygon rings in the lng/lat plane. Edges are straight in (lng, lat) and take the
// short way round: an edge whose ends differ by more than 180° of longitude crosses the
// antimeridian (so [179, 0] → [-179, 0] is 2° wide, not 358°). `placeRings` unwraps each
// ring so that longitude runs on continuously along it (it may leave [-180, 180]), and
// moves each hole by whole turns next to its outer ring. Parsing, the exact test and the
// cover all work on placed rings, so they agree on every polygon.
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

const orient = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number =>
  (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);

// c lies within the bounding box of a–b (c is known to be collinear with them).
const between = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number): boolean =>
  Math.min(ax, bx) <= cx && cx <= Math.max(ax, bx) && Math.min(ay, by) <= cy && cy <= Math.max(ay, by);

/** Closed segments a–b and c–d share at least one point. */
const segmentsMeet = (a: number[], b: number[], c: number[], d: number[]): boolean => {
  const d1 = orient(c[0], c[1], d[0], d[1], a[0], a[1]);
  const d2 = orient(c[0], c[1], d[0], d[1], b[0], b[1]);
  const d3 = orient(a[0], a[1], b[0], b[1], c[0], c[1]);
  const d4 = orient(a[0], a[1], b[0], b[1], d[0], d[1]);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  return (d1 === 0 && between(c[0], c[1], d[0], d[1], a[0], a[1]))
    || (d2 === 0 && between(c[0], c[1], d[0], d[1], b[0], b[1]))
    || (d3 === 0 && between(a[0], a[1], b[0], b[1], c[0], c[1]))
    || (d4 === 0 && between(a[0], a[1], b[0], b[1], d[0], d[1]));
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

/** Where two edges meet that should not: edge `edge` of ring `ring` and edge `otherEdge` of `otherRing`. */
export interface Crossing {
  readonly ring: number;
  readonly edge: number;
  readonly otherRing: number;
  readonly otherEdge: number;
}

interface Edge {
  readonly ring: number;
  readonly i: number;
  readonly a: number[];
  readonly b: number[];
  readonly minX: number;
  readonly maxX: number;
  readonly minY: number;
  readonly maxY: number;
}

/**
 * The first pair of edges that cross or touch, other than neighbours on a ring meeting
 * at their shared corner; rings must be closed and free of repeated consecutive
 * positions. Sweep and prune on x: O(n log n) plus the pairs whose x-ranges overlap,
 * which for real outlines is a small multiple of n (the caller caps n for the rest).
 */
export const firstCrossing = (rings: readonly (readonly number[][])[]): Crossing | undefined => {
  const edges: Edge[] = [];
  rings.forEach((ring, r) => {
    for (let i = 0; i + 1 < ring.length; i++) {
      const a = ring[i];
      const b = ring[i + 1];
      edges.push({
        ring: r, i, a, b,
        minX: Math.min(a[0], b[0]), maxX: Math.max(a[0], b[0]), minY: Math.min(a[1], b[1]), maxY: Math.max(a[1], b[1]),
      });
    }
  });
  edges.sort((e, f) => e.minX - f.minX);
  const active: Edge[] = [];
  for (const e of edges) {
    let kept = 0;
    for (const f of active) if (f.maxX >= e.minX) active[kept++] = f;
    active.length = kept;
    for (const f of active) {
      if (f.maxY < e.minY || f.minY > e.maxY) continue;
      const [first, second] = f.ring < e.ring || (f.ring === e.ring && f.i < e.i) ? [f, e] : [e, f];
      if (crosses(first, second, rings[first.ring].length - 1)) {
        return { ring: second.ring, edge: second.i, otherRing: first.ring, otherEdge: first.i };
      }
    }
    active.push(e);
  }
  return undefined;
};

// Neighbours on a ring share a corner; they only cross if the second folds back along
// the first. Any other pair must not meet at all.
const crosses = (e: Edge, f: Edge, edgesInRing: number): boolean => {
  if (e.ring === f.ring) {
    if (e.i + 1 === f.i) return foldsBack(e.a, e.b, f.b);
    if (e.i === 0 && f.i === edgesInRing - 1) return foldsBack(f.a, f.b, e.b);
  }
  return segmentsMeet(e.a, e.b, f.a, f.b);
};

const foldsBack = (a: number[], b: number[], c: number[]): boolean =>
  orient(a[0], a[1], b[0], b[1], c[0], c[1]) === 0 && (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1]) < 0;
