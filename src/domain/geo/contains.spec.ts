import { Circle, Polygon, Position } from './shape';
import { contains } from './contains';
import { distanceM } from './sphere';

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
});
