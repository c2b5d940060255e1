// Fence shapes as the protocol has them: a GeoJSON Polygon (first ring outer, the
// others holes), a GeoJSON MultiPolygon (one fence made of several polygons) or a Circle
// in metres; and `parseShape`, which checks what a shape is made of, naming the failing
// field. Whether a polygon is valid (OGC simple features) is validity.ts's question.
//
// Conventions beyond GeoJSON, chosen so that the exact test, the index and any client
// read a polygon the same way:
// - edges take the short way round, so a ring may cross the antimeridian (see rings.ts);
//   an edge exactly 180° of longitude wide is refused as ambiguous; a ring may span
//   exactly 360° (from -180 to 180 and back, as published Antarctica does) but no more;
// - a ring that circles a pole is refused (use a Circle there);
// - repeated consecutive positions are allowed and ignored.
import { Either, left, right } from 'fp-ts/Either';
import { ProtocolError, err } from '../errors';
import { lngStep, placeRings, unwrap, xRange } from './rings';

/** [lng, lat] in WGS84 degrees, as in GeoJSON. */
export type Position = readonly [number, number];

/** A polygon's rings, the first one outer, the others holes. */
export type Rings = readonly (readonly Position[])[];

export interface Polygon {
  readonly type: 'Polygon';
  readonly coordinates: Rings;
}

/** One fence of several polygons: a point is inside when it is inside any of them. */
export interface MultiPolygon {
  readonly type: 'MultiPolygon';
  readonly coordinates: readonly Rings[];
}

export interface Circle {
  readonly type: 'Circle';
  readonly center: Position;
  /** Metres. */
  readonly radius: number;
}

export type Shape = Polygon | MultiPolygon | Circle;

/** The polygons of a polygonal shape. */
export const polygonsOf = (shape: Polygon | MultiPolygon): readonly Rings[] => (shape.type === 'Polygon' ? [shape.coordinates] : shape.coordinates);

export const MIN_RADIUS_M = 1;
export const MAX_RADIUS_M = 100_000;
/**
 * Positions in one shape, all rings of all polygons together (Russia's border at 10 km
 * has 6,927). Bounds the cost of the validity test, of the cover and of each exact test.
 */
export const MAX_POSITIONS = 20_000;

type Parsed<A> = Either<ProtocolError, A>;
export const bad = (path: string, message: string): Parsed<never> => left(err('bad_request', message, path));

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

export const parseShape = (raw: unknown, path: string): Parsed<Shape> => {
  if (!isObject(raw)) return bad(path, 'a shape must be an object: a GeoJSON Polygon or MultiPolygon, or a Circle');
  if (raw.type === 'Circle') return parseCircle(raw, path);
  if (raw.type === 'Polygon' || raw.type === 'MultiPolygon') return parsePolygonal(raw, raw.type, path);
  return bad(`${path}.type`, 'shape type must be "Polygon", "MultiPolygon" or "Circle"');
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

/** Names a ring in messages: "hole 2", or "hole 2 of polygon 1" in a MultiPolygon. */
export const ringName = (polygon: number | undefined, r: number): string =>
  `${r === 0 ? 'the outer ring' : `hole ${r}`}${polygon === undefined ? '' : ` of polygon ${polygon}`}`;

const parsePolygonal = (raw: Record<string, unknown>, type: 'Polygon' | 'MultiPolygon', path: string): Parsed<Polygon | MultiPolygon> => {
  const at = `${path}.coordinates`;
  const coordinates = raw.coordinates;
  const multi = type === 'MultiPolygon';
  if (!Array.isArray(coordinates) || coordinates.length === 0) {
    return bad(at, multi ? 'coordinates must be a non-empty array of polygons' : 'coordinates must be a non-empty array of rings');
  }
  const polygons = (multi ? coordinates : [coordinates]) as unknown[];
  // Count before looking closer, so that a huge shape costs no more than its count.
  let count = 0;
  for (let p = 0; p < polygons.length; p++) {
    const rings = polygons[p];
    const ringsAt = multi ? `${at}.${p}` : at;
    if (!Array.isArray(rings) || rings.length === 0) return bad(ringsAt, 'a polygon must be a non-empty array of rings');
    for (let r = 0; r < rings.length; r++) {
      if (!Array.isArray(rings[r])) return bad(`${ringsAt}.${r}`, 'a ring must be an array of positions');
      count += (rings[r] as unknown[]).length;
    }
  }
  if (count > MAX_POSITIONS) return bad(at, `a shape may have at most ${MAX_POSITIONS.toLocaleString('en')} positions; this one has ${count.toLocaleString('en')}`);
  const parsed: Position[][][] = [];
  for (let p = 0; p < polygons.length; p++) {
    const rings = polygons[p] as unknown[][];
    const ringsAt = multi ? `${at}.${p}` : at;
    const polygon: Position[][] = [];
    for (let r = 0; r < rings.length; r++) {
      const ring = parseRing(rings[r], `${ringsAt}.${r}`, ringName(multi ? p : undefined, r));
      if (ring._tag === 'Left') return ring;
      polygon.push(ring.right);
    }
    const [west, east] = xRange(placeRings(polygon)[0]);
    if (east - west > 360) return bad(`${ringsAt}.0`, `${ringName(multi ? p : undefined, 0)} winds more than once around the globe; split it`);
    parsed.push(polygon);
  }
  return right(multi ? { type, coordinates: parsed } : { type, coordinates: parsed[0] });
};

const parseRing = (raw: unknown[], path: string, name: string): Parsed<Position[]> => {
  const ring: Position[] = [];
  for (let i = 0; i < raw.length; i++) {
    const p = parsePosition(raw[i], `${path}.${i}`);
    if (p._tag === 'Left') return p;
    ring.push(p.right);
  }
  if (ring.length < 4) return bad(path, `${name} has ${ring.length} positions; a ring needs at least 4, the last equal to the first`);
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (first[0] !== last[0] || first[1] !== last[1]) return bad(path, `${name} is not closed: its last position must equal its first`);
  for (let i = 1; i < ring.length; i++) {
    if (lngStep(ring[i - 1][0], ring[i][0]) === 180) {
      return bad(`${path}.${i}`, `the edge from position ${i - 1} to ${i} spans exactly 180° of longitude, so which way it goes is ambiguous; add a position between them`);
    }
  }
  const unwrapped = unwrap(ring);
  if (unwrapped[unwrapped.length - 1][0] !== unwrapped[0][0]) {
    return bad(path, `${name} circles a pole; polygons around a pole are not supported, use a Circle`);
  }
  return right(ring);
};
