import { isLeft, isRight } from 'fp-ts/Either';
import { MAX_POSITIONS, parseShape } from './shape';

const square = (w: number, s: number, e: number, n: number) => [[w, s], [e, s], [e, n], [w, n], [w, s]];

const refusal = (raw: unknown) => {
  const result = parseShape(raw, 'fence.shape');
  if (isRight(result)) throw new Error(`accepted ${JSON.stringify(raw)}`);
  return result.left;
};

describe('parseShape', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['not an object', 'circle', 'fence.shape', /must be an object/],
    ['null', null, 'fence.shape', /must be an object/],
    ['an unknown type', { type: 'Point', coordinates: [0, 0] }, 'fence.shape.type', /"Polygon", "MultiPolygon" or "Circle"/],
    ['a MultiPolygon without polygons', { type: 'MultiPolygon', coordinates: [] }, 'fence.shape.coordinates', /non-empty array of polygons/],
    ['a MultiPolygon with an empty polygon', { type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], []] }, 'fence.shape.coordinates.1', /non-empty array of rings/],
    ['a MultiPolygon with an unclosed hole', { type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], [square(5, 5, 9, 9), [[6, 6], [7, 6], [7, 7], [6, 7]]]] }, 'fence.shape.coordinates.1.1', /hole 1 of polygon 1 is not closed/],
    ['a MultiPolygon with a latitude past 90', { type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], [[[0, 0], [1, 0], [1, 91], [0, 0]]]] }, 'fence.shape.coordinates.1.0.2.1', /latitude 91 is outside/],
    ['a circle without a centre', { type: 'Circle', radius: 10 }, 'fence.shape.center', /\[lng, lat\]/],
    ['a centre of three numbers', { type: 'Circle', center: [1, 2, 3], radius: 10 }, 'fence.shape.center', /\[lng, lat\]/],
    ['a non-numeric longitude', { type: 'Circle', center: ['2', 48], radius: 10 }, 'fence.shape.center.0', /longitude must be a number/],
    ['a latitude past 90', { type: 'Circle', center: [2, 90.5], radius: 10 }, 'fence.shape.center.1', /latitude 90.5 is outside \[-90, 90\]/],
    ['a longitude past 180', { type: 'Circle', center: [-180.1, 0], radius: 10 }, 'fence.shape.center.0', /longitude -180.1 is outside/],
    ['a missing radius', { type: 'Circle', center: [2, 48] }, 'fence.shape.radius', /radius must be a number/],
    ['a radius under 1 m', { type: 'Circle', center: [2, 48], radius: 0.5 }, 'fence.shape.radius', /0.5 m is outside 1–100,000 m/],
    ['a radius over 100 km', { type: 'Circle', center: [2, 48], radius: 100_001 }, 'fence.shape.radius', /outside 1–100,000 m/],
    ['a radius that is not finite', { type: 'Circle', center: [2, 48], radius: Infinity }, 'fence.shape.radius', /radius must be a number/],
    ['missing coordinates', { type: 'Polygon' }, 'fence.shape.coordinates', /non-empty array of rings/],
    ['no rings', { type: 'Polygon', coordinates: [] }, 'fence.shape.coordinates', /non-empty array of rings/],
    ['a ring that is not an array', { type: 'Polygon', coordinates: ['x'] }, 'fence.shape.coordinates.0', /array of positions/],
    ['a position that is not an array', { type: 'Polygon', coordinates: [[[0, 0], 7, [1, 1], [0, 0]]] }, 'fence.shape.coordinates.0.1', /\[lng, lat\]/],
    ['a non-numeric latitude', { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, '1'], [0, 0]]] }, 'fence.shape.coordinates.0.2.1', /latitude must be a number/],
    ['an out-of-range longitude', { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [181, 1], [0, 0]]] }, 'fence.shape.coordinates.0.2.0', /longitude 181 is outside/],
    ['an out-of-range latitude in a hole', { type: 'Polygon', coordinates: [square(0, 0, 9, 9), [[1, 1], [2, 1], [2, -91], [1, 1]]] }, 'fence.shape.coordinates.1.2.1', /latitude -91/],
    ['a ring of 3 positions', { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 0]]] }, 'fence.shape.coordinates.0', /has 3 positions; a ring needs at least 4/],
    ['an unclosed ring', { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] }, 'fence.shape.coordinates.0', /not closed/],
    ['an edge exactly 180° wide', { type: 'Polygon', coordinates: [[[-90, 0], [90, 0], [90, 10], [-90, 0]]] }, 'fence.shape.coordinates.0.1', /exactly 180° of longitude/],
    ['a ring around the pole', { type: 'Polygon', coordinates: [[[-180, 80], [-60, 80], [60, 80], [-180, 80]]] }, 'fence.shape.coordinates.0', /circles a pole/],
  ])('refuses %s', (_, raw, path, message) => {
    const e = refusal(raw);
    expect(e.code).toBe('bad_request');
    expect(e.path).toBe(path);
    expect(e.message).toMatch(message);
  });

  it(`refuses a shape of more than ${MAX_POSITIONS} positions before looking at them`, () => {
    const ring = Array.from({ length: MAX_POSITIONS / 2 + 1 }, (_, i) => ['not a position', i]);
    expect(refusal({ type: 'MultiPolygon', coordinates: [[ring], [ring]] })).toMatchObject({ path: 'fence.shape.coordinates', message: expect.stringMatching(/at most 20,000 positions; this one has 20,002/) });
  });

  it.each<[string, unknown]>([
    ['a circle of 1 m', { type: 'Circle', center: [2.35, 48.86], radius: 1 }],
    ['a circle of 100 km on the pole', { type: 'Circle', center: [0, 90], radius: 100_000 }],
    ['a square', { type: 'Polygon', coordinates: [square(0, 0, 1, 1)] }],
    ['a square with two holes', { type: 'Polygon', coordinates: [square(0, 0, 9, 9), square(1, 1, 2, 2), square(5, 5, 6, 6)] }],
    ['a bow tie (its validity is not parseShape\'s question)', { type: 'Polygon', coordinates: [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]] }],
    ['a MultiPolygon', { type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], [square(2, 2, 3, 3), square(2.2, 2.2, 2.4, 2.4)]] }],
    ['a square across the antimeridian', { type: 'Polygon', coordinates: [square(179, -1, -179, 1)] }],
    ['a hole across the antimeridian', { type: 'Polygon', coordinates: [square(170, -5, -170, 5), square(179, -1, -179, 1)] }],
    ['repeated positions', { type: 'Polygon', coordinates: [[[0, 0], [0, 0], [1, 0], [1, 1], [1, 1], [0, 0]]] }],
    ['a ring with collinear corners', { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [2, 0], [2, 2], [0, 0]]] }],
    ['a 4,000-corner ring', { type: 'Polygon', coordinates: [Array.from({ length: 4001 }, (_, i) => [Math.cos((2 * Math.PI * i) / 4000), Math.sin((2 * Math.PI * i) / 4000)]).map((p, i) => (i === 4000 ? [1, 0] : p))] }],
  ])('accepts %s', (_, raw) => {
    const result = parseShape(raw, 'fence.shape');
    expect(isLeft(result) ? result.left : undefined).toBeUndefined();
    expect(isRight(result) && result.right).toEqual(raw);
  });
});
