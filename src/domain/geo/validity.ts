// Which polygons a fence may have, and what `"repair": true` makes of the others.
//
// Valid means valid under the OGC simple-features rules, decided by GEOS IsValid (JTS's
// rules): rings closed, of at least 4 distinct positions, not crossing or touching
// themselves; the rings of a polygon meeting at isolated points only; holes inside their
// outer ring and not nested or overlapping; the polygons of a MultiPolygon not
// overlapping. So two holes touching at one point are valid; a hole touching its outer
// ring along an edge is not.
//
// GEOS works in the plane, on the rings as rings.ts places them (unwrapped across the
// antimeridian, holes next to their outer ring), so "valid" means the same thing as the
// exact test and the index read it. Polygons of a MultiPolygon are placed one by one:
// two parts that overlap only across the antimeridian are not caught (a shape whose
// parts are split at ±180°, as published borders are, is checked exactly as given).
//
// An invalid shape is refused naming the ring GEOS points at (the ring nearest to where
// it fails; of two at the same distance, the later one, which is the one that breaks a
// rule the earlier ones set). With repair, GEOS MakeValid (linework method) rebuilds it:
// what the even-odd rule puts inside the rings stays inside; parts that collapse to a
// line are dropped; the result is a Polygon if one polygon is left, else a MultiPolygon,
// with longitudes back in [-180, 180].
import { Either, isLeft, right } from 'fp-ts/Either';
import { ProtocolError } from '../errors';
import type { Geometry, Invalidity } from './geos';
import { Placed, placeRings } from './rings';
import { MultiPolygon, Polygon, Position, Shape, bad, parseShape, polygonsOf, ringName } from './shape';

export interface Admitted {
  readonly shape: Shape;
  /** The shape was invalid and is the repaired one. */
  readonly repaired: boolean;
}

export const admitShape = (raw: unknown, path: string, geometry: Geometry, repair = false): Either<ProtocolError, Admitted> => {
  const parsed = parseShape(raw, path);
  if (isLeft(parsed)) return parsed;
  const shape = parsed.right;
  if (shape.type === 'Circle') return right({ shape, repaired: false });
  const placed = polygonsOf(shape).map(placeRings);
  const invalid = geometry.invalidity(placed);
  if (invalid === undefined) return right({ shape, repaired: false });
  if (!repair) return refusal(shape, placed, invalid, path);
  const polygons = geometry.makeValid(placed).filter((p) => p.length > 0).map((rings) => rings.map((ring) => ring.map(inRange)));
  if (polygons.length === 0) return bad(`${path}.coordinates`, `nothing is left once repaired: ${describe(invalid)}, and every part is flat`);
  const repaired: Polygon | MultiPolygon = polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons };
  // GEOS's result is valid in the plane; check it as any shape, since moving longitudes
  // back into range is ours.
  const again = admitShape(repaired, path, geometry);
  if (isLeft(again)) return bad(`${path}.coordinates`, `the shape could not be repaired (${describe(invalid)}): the repaired shape is refused too: ${again.left.message}`);
  return right({ shape: repaired, repaired: true });
};

const inRange = ([x, y]: readonly number[]): Position => [x > 180 || x < -180 ? x - 360 * Math.round(x / 360) : x, y];

const describe = ({ reason, x, y }: Invalidity): string => `${reason.toLowerCase()} at or near [${inRange([x, y]).join(', ')}]`;

const refusal = (shape: Polygon | MultiPolygon, placed: readonly Placed[], invalid: Invalidity, path: string): Either<ProtocolError, never> => {
  const multi = shape.type === 'MultiPolygon';
  const { polygon, ring } = nearestRing(placed, invalid.x, invalid.y);
  return bad(`${path}.coordinates.${multi ? `${polygon}.` : ''}${ring}`, `${ringName(multi ? polygon : undefined, ring)} is not valid: ${describe(invalid)}`);
};

const nearestRing = (placed: readonly Placed[], x: number, y: number): { polygon: number; ring: number } => {
  let best = { polygon: 0, ring: 0 };
  let bestD = Infinity;
  placed.forEach((rings, p) =>
    rings.forEach((ring, r) => {
      const d = distance2ToRing(ring, x, y);
      if (d <= bestD) {
        bestD = d;
        best = { polygon: p, ring: r };
      }
    }),
  );
  return best;
};

const distance2ToRing = (ring: readonly number[][], x: number, y: number): number => {
  let min = Infinity;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [ax, ay] = ring[i];
    const [bx, by] = ring[i + 1];
    const dx = bx - ax;
    const dy = by - ay;
    const length2 = dx * dx + dy * dy;
    const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / length2));
    const ex = ax + t * dx - x;
    const ey = ay + t * dy - y;
    min = Math.min(min, ex * ex + ey * ey);
  }
  return min;
};
