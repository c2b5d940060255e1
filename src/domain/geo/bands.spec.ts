import pointInPolygon from 'point-in-polygon-hao';
import { bandedPointInPolygon, bandsOf } from './bands';
import { seeded } from '../../../spec/support/random';

// The banded test must answer exactly as point-in-polygon-hao over all edges: inside,
// outside and on the boundary (0), for points anywhere, on corners, on edges and a hair off.
describe('bandedPointInPolygon', () => {
  it.each([1, 2, 3, 4, 5])('answers as point-in-polygon-hao on random many-edged rings with holes (seed %i)', (seed) => {
    const r = seeded(seed);
    const ring = (cx: number, cy: number, lo: number, hi: number, corners: number) => {
      const angles = Array.from({ length: corners }, () => r() * 2 * Math.PI).sort((a, b) => a - b);
      const points = angles.map((a) => {
        const d = lo + (hi - lo) * r();
        // Some corners on a grid, so that horizontal edges and shared latitudes occur.
        const p = [cx + d * Math.cos(a), cy + d * Math.sin(a)];
        return r() < 0.3 ? p.map((v) => Math.round(v * 4) / 4) : p;
      });
      return [...points, points[0]];
    };
    const rings = [ring(0, 0, 5, 10, 80 + Math.floor(r() * 400)), ring(0, 0, 1, 3, 10 + Math.floor(r() * 80))];
    const ys = rings[0].map((p) => p[1]);
    const bands = bandsOf(rings, Math.min(...ys), Math.max(...ys));
    const points: number[][] = Array.from({ length: 2000 }, () => [r() * 24 - 12, r() * 24 - 12]);
    for (const ring of rings) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const [[x0, y0], [x1, y1]] = [ring[i], ring[i + 1]];
        points.push(ring[i], [(x0 + x1) / 2, (y0 + y1) / 2], [x0, (y0 + y1) / 2], [(x0 + x1) / 2 + 1e-12, (y0 + y1) / 2 - 1e-12]);
      }
    }
    let boundary = 0;
    for (const [x, y] of points) {
      const expected = pointInPolygon([x, y], rings);
      expect([x, y, bandedPointInPolygon(bands, x, y)]).toEqual([x, y, expected]);
      if (expected === 0) boundary++;
    }
    expect(boundary).toBeGreaterThan(50);
  });
});
