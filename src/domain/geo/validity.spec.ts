import { isLeft, isRight } from 'fp-ts/Either';
import { Geometry, loadGeometry } from './geos';
import { admitShape } from './validity';
import { Shape, polygonsOf } from './shape';

let geometry: Geometry;
beforeAll(async () => {
  geometry = await loadGeometry();
});

type Ring = number[][];
const square = (w: number, s: number, e: number, n: number): Ring => [[w, s], [e, s], [e, n], [w, n], [w, s]];
const polygon = (...rings: Ring[]) => ({ type: 'Polygon', coordinates: rings });
const multi = (...polygons: Ring[][]) => ({ type: 'MultiPolygon', coordinates: polygons });

/** Area in the lng/lat plane (square degrees), holes subtracted, whatever the rings' orientation. */
const planarArea = (shape: Shape): number => {
  if (shape.type === 'Circle') throw new Error('a circle');
  const ringArea = (ring: readonly (readonly number[])[]) => {
    let twice = 0;
    for (let i = 0; i + 1 < ring.length; i++) twice += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
    return Math.abs(twice) / 2;
  };
  return polygonsOf(shape).reduce((sum, [outer, ...holes]) => sum + ringArea(outer) - holes.reduce((h, ring) => h + ringArea(ring), 0), 0);
};

const admit = (raw: unknown, repair = false) => admitShape(raw, 'fence.shape', geometry, repair);

// Each classic case: refused without repair (where GEOS says so), and repaired into a
// valid shape whose area is what the even-odd rule leaves inside.
describe('validity and repair, the classic cases', () => {
  it.each<[string, unknown, string, RegExp, number, string]>([
    ['a bow-tie', polygon([[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]), 'fence.shape.coordinates.0', /the outer ring is not valid: self-intersection at or near \[1, 1\]/, 2, 'MultiPolygon'],
    ['a spike', polygon([[0, 0], [2, 0], [2, 2], [1, 2], [1, 3], [1, 2], [0, 2], [0, 0]]), 'fence.shape.coordinates.0', /the outer ring is not valid: .*self-intersection/, 4, 'Polygon'],
    ['a hole outside its shell', polygon(square(0, 0, 4, 4), square(6, 1, 7, 2)), 'fence.shape.coordinates.1', /hole 1 is not valid: hole lies outside shell at or near \[6, 1\]/, 17, 'MultiPolygon'],
    ['holes touching along an edge', polygon(square(0, 0, 9, 9), square(1, 1, 3, 3), square(3, 1, 5, 3)), 'fence.shape.coordinates.2', /hole 2 is not valid: self-intersection/, 81 - 8, 'Polygon'],
    // Once noded, the stretch the hole shares with its shell is one edge, so the notch is a
    // face next to the outside and GEOS keeps it: MakeValid, not a count of ring
    // crossings, is the reference.
    ['a hole touching its shell along an edge', polygon(square(0, 0, 4, 4), square(0, 1, 1, 2)), 'fence.shape.coordinates.1', /hole 1 is not valid: self-intersection/, 16, 'Polygon'],
    ['overlapping parts of a MultiPolygon', multi([square(0, 0, 2, 2)], [square(1, 1, 3, 3)]), 'fence.shape.coordinates.1.0', /the outer ring of polygon 1 is not valid: self-intersection/, 6, 'MultiPolygon'],
    ['a ring touching itself at a corner', polygon([[0, 0], [2, 0], [1, 1], [2, 2], [0, 2], [1, 1], [0, 0]]), 'fence.shape.coordinates.0', /the outer ring is not valid: ring self-intersection at or near \[1, 1\]/, 2, 'MultiPolygon'],
    ['a ring of 4 positions with a repeat', polygon([[0, 0], [1, 0], [1, 0], [0, 0]]), 'fence.shape.coordinates.0', /too few points/, 0, ''],
  ])('%s', (_, raw, path, message, area, repairedType) => {
    const refused = admit(raw);
    if (!isLeft(refused)) throw new Error('accepted');
    expect(refused.left).toEqual({ code: 'bad_request', path, message: expect.stringMatching(message) });
    const repaired = admit(raw, true);
    if (area === 0) {
      expect(isLeft(repaired) && repaired.left.message).toMatch(/nothing is left once repaired/);
      return;
    }
    if (!isRight(repaired)) throw new Error(repaired.left.message);
    expect(repaired.right.repaired).toBe(true);
    expect(repaired.right.shape.type).toBe(repairedType);
    expect(planarArea(repaired.right.shape)).toBeCloseTo(area, 9);
    // The repaired shape is valid as it is.
    expect(admit(repaired.right.shape)).toEqual({ _tag: 'Right', right: { shape: repaired.right.shape, repaired: false } });
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a figure eight touching at a corner', polygon([[0, 0], [1, 1], [2, 0], [2, 2], [1, 1], [0, 2], [0, 0]]), 'fence.shape.coordinates.0', /ring self-intersection at or near \[1, 1\]/],
    ['a flat ring', polygon([[0, 0], [1, 0], [2, 0], [0, 0]]), 'fence.shape.coordinates.0', /is not valid/],
    ['a hole crossing the outer ring', polygon(square(0, 0, 4, 4), square(3, 1, 5, 2)), 'fence.shape.coordinates.1', /hole 1 is not valid: self-intersection at or near \[4, [12]\]/],
    ['a hole inside another', polygon(square(0, 0, 9, 9), square(1, 1, 8, 8), square(2, 2, 3, 3)), 'fence.shape.coordinates.2', /hole 2 is not valid: holes are nested/],
    ['a hole around another', polygon(square(0, 0, 9, 9), square(2, 2, 3, 3), square(1, 1, 8, 8)), 'fence.shape.coordinates.1', /hole 1 is not valid: holes are nested/],
    ['holes crossing each other', polygon(square(0, 0, 9, 9), square(1, 1, 3, 3), square(2, 2, 4, 4)), 'fence.shape.coordinates.2', /hole 2 is not valid: self-intersection/],
    ['a polygon inside another of its MultiPolygon', multi([square(0, 0, 9, 9)], [square(1, 1, 2, 2)]), 'fence.shape.coordinates.1.0', /the outer ring of polygon 1 is not valid: nested shells/],
  ])('refuses %s', (_, raw, path, message) => {
    expect(admit(raw)).toEqual({ _tag: 'Left', left: { code: 'bad_request', path, message: expect.stringMatching(message) } });
  });

  it('finds a crossing in a large ring', () => {
    // A 4,000-corner circle-like ring with two corners swapped near the end.
    const ring = Array.from({ length: 4000 }, (_, i) => [Math.cos((2 * Math.PI * i) / 4000), Math.sin((2 * Math.PI * i) / 4000)]);
    [ring[3990], ring[3991]] = [ring[3991], ring[3990]];
    expect(admit(polygon([...ring, ring[0]]))).toMatchObject({ left: { path: 'fence.shape.coordinates.0', message: expect.stringMatching(/self-intersection at or near \[0\.99/) } });
  });

  it.each<[string, unknown]>([
    ['a square with two holes', polygon(square(0, 0, 9, 9), square(1, 1, 2, 2), square(5, 5, 6, 6))],
    ['a square across the antimeridian', polygon(square(179, -1, -179, 1))],
    ['a hole across the antimeridian', polygon(square(170, -5, -170, 5), square(179, -1, -179, 1))],
    ['repeated positions', polygon([[0, 0], [0, 0], [1, 0], [1, 1], [1, 1], [0, 0]])],
    ['a ring with collinear corners', polygon([[0, 0], [1, 0], [2, 0], [2, 2], [0, 0]])],
    ['holes touching each other at one point', polygon(square(0, 0, 9, 9), square(1, 1, 3, 3), square(3, 3, 5, 5))],
    ['a hole touching its shell at one point', polygon(square(0, 0, 4, 4), [[0, 2], [1, 1], [1, 3], [0, 2]])],
    ['parts of a MultiPolygon touching at one point', multi([square(0, 0, 1, 1)], [square(1, 1, 2, 2)])],
    ['a MultiPolygon with holes', multi([square(0, 0, 9, 9), square(1, 1, 2, 2)], [square(20, 20, 30, 30), square(21, 21, 22, 22), square(22, 22, 23, 23)])],
    ['a MultiPolygon across the antimeridian', multi([square(179, -1, -179, 1)], [square(170, 10, 171, 11)])],
    ['parts split at ±180°, touching across it', multi([square(170, 0, 180, 10)], [square(-180, 0, -170, 10)])],
  ])('accepts %s as it is', (_, raw) => {
    expect(admit(raw)).toEqual({ _tag: 'Right', right: { shape: raw, repaired: false } });
    expect(admit(raw, true)).toEqual({ _tag: 'Right', right: { shape: raw, repaired: false } });
  });

  it('repairs across the antimeridian and brings longitudes back into range', () => {
    const bowTie = polygon([[179, 0], [-179, 2], [-179, 0], [179, 2], [179, 0]]);
    expect(admit(bowTie)).toMatchObject({ left: { path: 'fence.shape.coordinates.0', message: expect.stringMatching(/at or near \[180, 1\]/) } });
    const repaired = admit(bowTie, true);
    if (!isRight(repaired)) throw new Error(repaired.left.message);
    const { shape } = repaired.right;
    if (shape.type !== 'MultiPolygon') throw new Error(shape.type);
    for (const [lng] of shape.coordinates.flat(2)) expect(Math.abs(lng)).toBeLessThanOrEqual(180);
    expect(shape.coordinates).toHaveLength(2);
  });

  it('names the polygon and ring in a MultiPolygon', () => {
    const raw = multi([square(0, 0, 4, 4)], [square(10, 10, 14, 14), square(15, 11, 16, 12)]);
    expect(admit(raw)).toMatchObject({ left: { path: 'fence.shape.coordinates.1.1', message: expect.stringMatching(/^hole 1 of polygon 1 is not valid: hole lies outside shell/) } });
  });
});
