import { cellToBoundary, cellToChildren, cellToLatLng, getPentagons, getResolution, latLngToCell } from 'h3-js';
import { isRight } from 'fp-ts/Either';
import { contains, regionOf } from './contains';
import { LOOKUP_RES, REACH_FACTOR, coverOf, coverResolution } from './cover';
import { Shape, parseShape } from './shape';
import { distanceM } from './sphere';

const shape = (raw: unknown): Shape => {
  const parsed = parseShape(raw, 'shape');
  if (!isRight(parsed)) throw new Error(parsed.left.message);
  return parsed.right;
};

// The lookup maps a point to its fine cell's ancestors, so an ancestor stands for all of
// its descendants, which stick out past its hexagon; the cover's margin must hold them.
describe('the reach of a cell', () => {
  const farthest = (cell: string, depth: number): number => {
    const [lat, lng] = cellToLatLng(cell);
    let far = 0;
    for (const child of cellToChildren(cell, getResolution(cell) + depth)) {
      for (const [vlat, vlng] of cellToBoundary(child)) far = Math.max(far, distanceM(lat, lng, vlat, vlng));
    }
    return far;
  };
  const circumradius = (cell: string): number => farthest(cell, 0);
  const cells = [
    ...[0, 2, 5, 8].flatMap((res) => getPentagons(res)),
    ...Array.from({ length: 60 }, (_, i) => latLngToCell(Math.asin(((i * 0.618034) % 1) * 2 - 1) * 57.2957795, ((i * 0.754878) % 1) * 360 - 180, i % 12)),
  ];

  it('holds every descendant three levels down, with room for the levels below', () => {
    // Past three levels the descendants stick out by at most ≈ 0.02 of a circumradius more.
    for (const cell of cells) expect(farthest(cell, 3) / circumradius(cell) + 0.03).toBeLessThan(REACH_FACTOR);
  });
});

describe('coverOf', () => {
  const cellsOf = (s: Shape) => {
    const cover = coverOf(regionOf(s));
    return { ...cover, total: cover.inside.length + cover.edge.length };
  };

  it('gives a 1 m circle a few boundary cells at the finest resolution', () => {
    const cover = cellsOf(shape({ type: 'Circle', center: [2.35, 48.86], radius: 1 }));
    expect(cover.res).toBe(LOOKUP_RES);
    expect(cover.inside).toEqual([]);
    expect(cover.edge.length).toBeGreaterThan(0);
    expect(cover.edge.length).toBeLessThanOrEqual(7);
  });

  it.each<[string, unknown]>([
    ['a 100 km circle', { type: 'Circle', center: [2.35, 48.86], radius: 100_000 }],
    ['a 100 km circle on the pole', { type: 'Circle', center: [0, 90], radius: 100_000 }],
    ['a 100 km circle across the antimeridian', { type: 'Circle', center: [180, -17], radius: 100_000 }],
    ['a continent', { type: 'Polygon', coordinates: [[[-10, 35], [30, 35], [40, 60], [0, 70], [-10, 35]]] }],
    ['a 300 m square', { type: 'Polygon', coordinates: [[[2.35, 48.86], [2.354, 48.86], [2.354, 48.8627], [2.35, 48.8627], [2.35, 48.86]]] }],
  ])('keeps %s to a bounded number of cells, some certain', (_, raw) => {
    const cover = cellsOf(shape(raw));
    expect(cover.total).toBeLessThan(400);
    expect(cover.inside.length).toBeGreaterThan(0);
  });

  it('picks finer resolutions for smaller fences', () => {
    const res = [10, 100, 1000, 10_000, 100_000].map((radius) => coverResolution(regionOf(shape({ type: 'Circle', center: [2.35, 48.86], radius }))));
    expect(res).toEqual([...res].sort((a, b) => b - a));
    expect(new Set(res).size).toBe(res.length);
  });

  it('marks as certain only cells whose every descendant is inside', () => {
    const fences = [
      shape({ type: 'Circle', center: [2.35, 48.86], radius: 3000 }),
      shape({ type: 'Polygon', coordinates: [[[179.9, -0.1], [-179.9, -0.1], [-179.9, 0.1], [179.9, 0.1], [179.9, -0.1]], [[179.95, -0.05], [179.99, -0.05], [179.99, 0.05], [179.95, 0.05], [179.95, -0.05]]] }),
    ];
    for (const fence of fences) {
      const cover = coverOf(regionOf(fence));
      for (const cell of cover.inside) {
        const res = getResolution(cell);
        for (const child of cellToChildren(cell, Math.min(LOOKUP_RES, res + 3))) {
          for (const [lat, lng] of cellToBoundary(child)) expect([cell, contains(fence, lat, lng)]).toEqual([cell, true]);
        }
      }
    }
  });
});
