import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { multiPolygon as turfMultiPolygon } from '@turf/helpers';
import { isRight } from 'fp-ts/Either';
import { Circle, MultiPolygon, Polygon, Position, polygonsOf } from './shape';
import { contains } from './contains';
import { Geometry, loadGeometry } from './geos';
import { distanceM } from './sphere';
import { admitShape } from './validity';
import { Rng, seeded } from '../../../spec/support/random';

const polygon = (...rings: Position[][]): Polygon => ({ type: 'Polygon', coordinates: rings });
const square = (w: number, s: number, e: number, n: number): Position[] => [[w, s], [e, s], [e, n], [w, n], [w, s]];
const circle = (lng: number, lat: number, radius: number): Circle => ({ type: 'Circle', center: [lng, lat], radius });
const at = (shape: Polygon | Circle, [lng, lat]: Position) => contains(shape, lat, lng);

describe('contains', () => {
  const unit = polygon(square(0, 0, 1, 1));

  it.each<[string, Position, boolean]>([
    ['the middle', [0.5, 0.5], true],
    ['a corner', [0, 0], true],
    ['the far corner', [1, 1], true],
    ['an edge', [0.5, 0], true],
    ['a vertical edge', [1, 0.25], true],
    ['just outside an edge', [1 + 1e-12, 0.5], false],
    ['just inside an edge', [1 - 1e-12, 0.5], true],
    ['the prolongation of an edge', [1.5, 0], false],
    ['far away', [-120, 40], false],
  ])('a square holds %s: %j → %s', (_, point, inside) => expect(at(unit, point)).toBe(inside));

  const holed = polygon(square(0, 0, 10, 10), square(4, 4, 6, 6));
  it.each<[string, Position, boolean]>([
    ['a point in the hole', [5, 5], false],
    ['a point on the hole edge (a boundary)', [4, 5], true],
    ['a hole corner', [6, 6], true],
    ['a point between hole and outer ring', [2, 8], true],
  ])('a square with a hole: %s', (_, point, inside) => expect(at(holed, point)).toBe(inside));

  const concave = polygon([[0, 0], [4, 0], [4, 4], [2, 1], [0, 4], [0, 0]]);
  it('follows a concave notch', () => {
    expect(at(concave, [2, 3])).toBe(false);
    expect(at(concave, [2, 0.5])).toBe(true);
    expect(at(concave, [2, 1])).toBe(true); // the notch's corner
  });

  // Edges take the short way: this square is 2° wide, across the antimeridian.
  const dateline = polygon(square(179, -1, -179, 1));
  it.each<[string, Position, boolean]>([
    ['lng 180', [180, 0], true],
    ['lng -180 (the same meridian)', [-180, 0], true],
    ['the west half', [179.5, 0.5], true],
    ['the east half', [-179.5, -0.5], true],
    ['its west edge', [179, 0], true],
    ['the other side of the globe', [0, 0], false],
    ['just west of it', [178.9, 0], false],
    ['just east of it', [-178.9, 0], false],
  ])('a square across the antimeridian holds %s: %s', (_, point, inside) => expect(at(dateline, point)).toBe(inside));

  it('a hole across the antimeridian is a hole', () => {
    const shape = polygon(square(170, -5, -170, 5), square(179, -1, -179, 1));
    expect(at(shape, [180, 0])).toBe(false);
    expect(at(shape, [-175, 0])).toBe(true);
    expect(at(shape, [175, 0])).toBe(true);
  });

  it('a polygon near the pole is read in lng/lat', () => {
    const shape = polygon(square(-10, 85, 10, 89.9));
    expect(at(shape, [0, 89])).toBe(true);
    expect(at(shape, [180, 89])).toBe(false);
  });

  describe('circles', () => {
    const paris = circle(2.3522, 48.8566, 100);
    it('hold points within the radius, the rim included', () => {
      const rim: Position = [2.3522, 48.8566 + 0.0009];
      const d = distanceM(48.8566, 2.3522, rim[1], rim[0]);
      expect(at(circle(2.3522, 48.8566, d), rim)).toBe(true);
      expect(at(circle(2.3522, 48.8566, d - 1e-6), rim)).toBe(false);
      expect(at(paris, [2.3522, 48.8566])).toBe(true);
      expect(at(paris, [2.3522 + 0.0014, 48.8566])).toBe(false); // ≈ 103 m east
      expect(at(paris, [2.3522 + 0.0013, 48.8566])).toBe(true); // ≈ 95 m east
    });

    it('work across the antimeridian', () => {
      const shape = circle(179.9995, 0, 200);
      expect(at(shape, [-179.9995, 0])).toBe(true); // ≈ 111 m away
      expect(at(shape, [180, 0])).toBe(true);
      expect(at(shape, [-179.997, 0])).toBe(false); // ≈ 390 m away
    });

    it('work on the pole, at every longitude', () => {
      const shape = circle(0, 90, 1000);
      for (const lng of [-180, -90, 0, 45, 180]) expect(at(shape, [lng, 89.995])).toBe(true);
      expect(at(shape, [0, 89.98])).toBe(false);
    });
  });

  describe('MultiPolygons', () => {
    const shape: MultiPolygon = { type: 'MultiPolygon', coordinates: [[square(0, 0, 4, 4), square(1, 1, 2, 2)], [square(10, 10, 12, 12)]] };
    it.each<[string, Position, boolean]>([
      ['the first polygon', [3, 3], true],
      ['its hole', [1.5, 1.5], false],
      ['its hole\'s edge', [1, 1.5], true],
      ['the second polygon', [11, 11], true],
      ['the second polygon\'s corner', [12, 12], true],
      ['between them', [7, 7], false],
    ])('hold %s', (_, point, inside) => expect(contains(shape, point[1], point[0])).toBe(inside));
  });
});

// The exact test against turf's booleanPointInPolygon (the oracle the issue names), on
// random valid MultiPolygons with holes away from the antimeridian (turf reads
// longitudes in the plane as given): random points, corners, edge midpoints and points
// a hair either side of an edge.
describe('contains agrees with turf', () => {
  let geometry: Geometry;
  beforeAll(async () => {
    geometry = await loadGeometry();
  });

  const between = (r: Rng, lo: number, hi: number) => lo + (hi - lo) * r();
  const star = (r: Rng, lng: number, lat: number, lo: number, hi: number, corners: number): Position[] => {
    const bearings = Array.from({ length: corners }, () => between(r, 0, 2 * Math.PI)).sort((a, b) => a - b);
    const ring = bearings.map((b): Position => {
      const d = between(r, lo, hi);
      return [lng + d * Math.cos(b), lat + d * Math.sin(b)];
    });
    return [...ring, ring[0]];
  };
  const randomMultiPolygon = (r: Rng, lng: number, lat: number, size: number): MultiPolygon => {
    for (;;) {
      const raw = {
        type: 'MultiPolygon',
        coordinates: Array.from({ length: 1 + Math.floor(r() * 4) }, () => {
          const [plng, plat] = [lng + between(r, -3, 3) * size, lat + between(r, -3, 3) * size];
          const part = size * between(r, 0.3, 1);
          return [star(r, plng, plat, part * 0.5, part, 3 + Math.floor(r() * 25)), ...(r() < 0.6 ? [star(r, plng, plat, part * 0.05, part * 0.3, 3 + Math.floor(r() * 6))] : [])];
        }),
      };
      const admitted = admitShape(raw, 'shape', geometry);
      if (isRight(admitted) && admitted.right.shape.type === 'MultiPolygon') return admitted.right.shape;
    }
  };

  it.each([
    ['Paris', 2.35, 48.86, 0.01],
    ['the equator', 0, 0, 1],
    ['Patagonia', -70, -50, 3],
    ['near the antimeridian', 175, 60, 0.5],
  ])('on random MultiPolygons with holes near %s', (_, lng, lat, size) => {
    const r = seeded(lng * 1000 + lat);
    let inside = 0;
    let tested = 0;
    for (let n = 0; n < 40; n++) {
      const shape = randomMultiPolygon(r, lng, lat, size);
      const feature = turfMultiPolygon(polygonsOf(shape).map((rings) => rings.map((ring) => ring.map((p) => [...p]))));
      const points: Position[] = Array.from({ length: 100 }, () => [lng + between(r, -4, 4) * size, lat + between(r, -4, 4) * size]);
      for (const ring of polygonsOf(shape).flat()) {
        for (let i = 0; i + 1 < ring.length; i++) {
          const [[x0, y0], [x1, y1]] = [ring[i], ring[i + 1]];
          const [mx, my] = [(x0 + x1) / 2, (y0 + y1) / 2];
          const length = Math.hypot(x1 - x0, y1 - y0);
          const [nx, ny] = [(y0 - y1) / length, (x1 - x0) / length];
          points.push(ring[i], [mx, my]);
          for (const e of [1e-9, -1e-9, 1e-6, -1e-6]) points.push([mx + e * size * nx, my + e * size * ny]);
        }
      }
      for (const [x, y] of points) {
        const ours = contains(shape, y, x);
        expect([x, y, ours]).toEqual([x, y, booleanPointInPolygon([x, y], feature)]);
        tested++;
        if (ours) inside++;
      }
    }
    // Not vacuous: a good share of the points were inside.
    expect(inside / tested).toBeGreaterThan(0.2);
  });
});
