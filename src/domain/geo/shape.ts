// Fence shapes as the protocol has them: a GeoJSON Polygon (first ring outer, the
// others holes) or a Circle in metres; and `parseShape`, which admits only shapes the
// index and the exact test handle, naming the failing field.
//
// Conventions beyond GeoJSON, chosen so that the exact test, the index and any client
// read a polygon the same way:
// - edges take the short way round, so a ring may cross the antimeridian (see rings.ts);
//   an edge exactly 180° of longitude wide is refused as ambiguous;
// - a ring that circles a pole is refused (use a Circle there);
// - rings must not cross or touch themselves or each other, and holes must lie inside
//   the outer ring and outside each other (stricter than GeoJSON, which lets holes touch);
// - repeated consecutive positions are allowed and ignored.
import { Either, left, right } from 'fp-ts/Either';
import { ProtocolError, err } from '../errors';
import { firstCrossing, lngStep, placeRings, unwrap, xRange } from './rings';
import pointInPolygon from 'point-in-polygon-hao';

/** [lng, lat] in WGS84 degrees, as in GeoJSON. */
export type Position = readonly [number, number];

export interface Polygon {
  readonly type: 'Polygon';
  readonly coordinates: readonly (readonly Position[])[];
}

export interface Circle {
  readonly type: 'Circle';
  readonly center: Position;
  /** Metres. */
  readonly radius: number;
}

export type Shape = Polygon | Circle;

export const MIN_RADIUS_M = 1;
export const MAX_RADIUS_M = 100_000;
/**
 * Positions in one polygon, all rings together. Bounds the cost of checking a new fence
 * for crossings (worst case quadratic in it) and of each exact test.
 */
export const MAX_POSITIONS = 4096;

type Parsed<A> = Either<ProtocolError, A>;
const bad = (path: string, message: string): Parsed<never> => left(err('bad_request', message, path));

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

export const parseShape = (raw: unknown, path: string): Parsed<Shape> => {
  if (!isObject(raw)) return bad(path, 'a shape must be an object: a GeoJSON Polygon or a Circle');
  if (raw.type === 'Circle') return parseCircle(raw, path);
  if (raw.type === 'Polygon') return parsePolygon(raw, path);
  return bad(`${path}.type`, 'shape type must be "Polygon" or "Circle"');
};

const parsePosition = (raw: unknown, path: string): Parsed<Position> => {
  if (!Array.isArray(raw) || raw.length !== 2) return bad(path, 'a position must be [lng, lat]');
  const [lng, lat] = raw as unknown[];
  if (typeof lng !== 'number' || !Number.isFinite(lng)) return bad(`${path}.0`, 'longitude must be a number');
  if (typeof lat !== 'number' || !Number.isFinite(lat)) return bad(`${path}.1`, 'latitude must be a number');
  if (lng < -180 || lng > 180) return bad(`${path}.0`, `longitude ${lng} is outside [-180, 180]`);
  if (lat < -90 || lat > 90) return bad(`${path}.1`, `latitude ${lat} is outside [-90, 90]`);
  return right([lng, lat]);
};

const parseCircle = (raw: Record<string, unknown>, path: string): Parsed<Circle> => {
  const center = parsePosition(raw.center, `${path}.center`);
  if (center._tag === 'Left') return center;
  const radius = raw.radius;
  if (typeof radius !== 'number' || !Number.isFinite(radius)) return bad(`${path}.radius`, 'radius must be a number of metres');
  if (radius < MIN_RADIUS_M || radius > MAX_RADIUS_M) {
    return bad(`${path}.radius`, `radius ${radius} m is outside ${MIN_RADIUS_M}–${MAX_RADIUS_M.toLocaleString('en')} m`);
  }
  return right({ type: 'Circle', center: center.right, radius });
};

const parsePolygon = (raw: Record<string, unknown>, path: string): Parsed<Polygon> => {
  const at = `${path}.coordinates`;
  const rings = raw.coordinates;
  if (!Array.isArray(rings) || rings.length === 0) return bad(at, 'coordinates must be a non-empty array of rings');
  let count = 0;
  for (let r = 0; r < rings.length; r++) {
    if (!Array.isArray(rings[r])) return bad(`${at}.${r}`, 'a ring must be an array of positions');
    count += (rings[r] as unknown[]).length;
  }
  if (count > MAX_POSITIONS) return bad(at, `a polygon may have at most ${MAX_POSITIONS} positions; this one has ${count}`);
  const parsed: Position[][] = [];
  for (let r = 0; r < rings.length; r++) {
    const ring = parseRing(rings[r] as unknown[], `${at}.${r}`, r);
    if (ring._tag === 'Left') return ring;
    parsed.push(ring.right);
  }
  const problem = checkLayout(parsed, at);
  return problem ?? right({ type: 'Polygon', coordinates: parsed });
};

const ringName = (r: number): string => (r === 0 ? 'the outer ring' : `hole ${r}`);

const parseRing = (raw: unknown[], path: string, r: number): Parsed<Position[]> => {
  const ring: Position[] = [];
  for (let i = 0; i < raw.length; i++) {
    const p = parsePosition(raw[i], `${path}.${i}`);
    if (p._tag === 'Left') return p;
    ring.push(p.right);
  }
  const distinct = withoutRepeats(ring).length;
  if (ring.length < 4 || distinct < 4) {
    return bad(path, `${ringName(r)} has ${ring.length} positions (${distinct} after dropping repeats); a ring needs at least 4, the last equal to the first`);
  }
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (first[0] !== last[0] || first[1] !== last[1]) return bad(path, `${ringName(r)} is not closed: its last position must equal its first`);
  for (let i = 1; i < ring.length; i++) {
    if (lngStep(ring[i - 1][0], ring[i][0]) === 180) {
      return bad(`${path}.${i}`, `the edge from position ${i - 1} to ${i} spans exactly 180° of longitude, so which way it goes is ambiguous; add a position between them`);
    }
  }
  const unwrapped = unwrap(ring);
  if (unwrapped[unwrapped.length - 1][0] !== unwrapped[0][0]) {
    return bad(path, `${ringName(r)} circles a pole; polygons around a pole are not supported, use a Circle`);
  }
  return right(ring);
};

/** Indices of the positions that start a new corner (a repeat of the one before is dropped). */
const withoutRepeats = (ring: readonly Position[]): number[] => {
  const kept = [0];
  for (let i = 1; i < ring.length; i++) {
    const prev = ring[kept[kept.length - 1]];
    if (ring[i][0] !== prev[0] || ring[i][1] !== prev[1]) kept.push(i);
  }
  return kept;
};

// Rings are valid one by one; check how they lie together.
const checkLayout = (rings: readonly Position[][], at: string): Parsed<never> | undefined => {
  const placed = placeRings(rings);
  const [west, east] = xRange(placed[0]);
  if (east - west >= 360) return bad(`${at}.0`, 'the outer ring spans all longitudes; split it');
  const kept = rings.map(withoutRepeats);
  const crossing = firstCrossing(placed.map((ring, r) => kept[r].map((i) => ring[i])));
  if (crossing !== undefined) {
    const { ring, edge, otherRing, otherEdge } = crossing;
    const from = (r: number, e: number) => `${kept[r][e]}–${kept[r][e + 1]}`;
    const what = ring === otherRing
      ? `${ringName(ring)} crosses itself: edge ${from(ring, edge)} meets edge ${from(otherRing, otherEdge)}`
      : `${ringName(ring)} crosses or touches ${ringName(otherRing)}: its edge ${from(ring, edge)} meets edge ${from(otherRing, otherEdge)}`;
    return bad(`${at}.${ring}`, `${what} (positions numbered from 0)`);
  }
  // No ring meets another, so one corner tells on which side of a ring a hole lies.
  for (let h = 1; h < placed.length; h++) {
    const corner = placed[h][0];
    if (pointInPolygon(corner, [placed[0]]) === false) return bad(`${at}.${h}`, `hole ${h} is not inside the outer ring`);
    for (let o = 1; o < h; o++) {
      if (pointInPolygon(corner, [placed[o]]) !== false) return bad(`${at}.${h}`, `hole ${h} lies inside hole ${o}`);
      if (pointInPolygon(placed[o][0], [placed[h]]) !== false) return bad(`${at}.${h}`, `hole ${h} contains hole ${o}`);
    }
  }
  return undefined;
};
