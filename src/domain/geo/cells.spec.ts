import { cellToParent, getRes0Cells, cellToChildren, latLngToCell } from 'h3-js';
import { SPLIT, baseOf, halvesOf, highAt, keysOf, lowAt, resolutionOf } from './cells';
import { getBaseCellNumber } from 'h3-js';

describe('cell keys', () => {
  const points = Array.from({ length: 300 }, (_, i) => [Math.asin(((i * 0.6180339887) % 1) * 2 - 1) * 57.29577951308232, ((i * 0.7548776662) % 1) * 360 - 180]);

  it('walk a point up its ancestors as cellToParent does', () => {
    for (const [lat, lng] of points) {
      const cell = latLngToCell(lat, lng, 15);
      const { upper, lower } = halvesOf(cell);
      expect(baseOf(upper)).toBe(getBaseCellNumber(cell));
      for (let res = 0; res <= 15; res++) {
        expect([highAt(upper, lower, res), lowAt(lower, res)]).toEqual(keysOf(cellToParent(cell, res)));
      }
    }
  });

  it('are small integers, so that V8 keeps them unboxed', () => {
    for (const [lat, lng] of points) {
      const [high, low] = keysOf(latLngToCell(lat, lng, 15));
      expect(high).toBe(high | 0);
      expect(high).toBeGreaterThanOrEqual(0);
      expect(low).toBe(low | 0);
      expect(low).toBeLessThan(2 ** (3 * (15 - SPLIT)));
    }
  });

  it('are distinct for distinct cells of a resolution', () => {
    const cells = getRes0Cells().flatMap((c) => cellToChildren(c, 2));
    expect(new Set(cells.map((c) => keysOf(c).join())).size).toBe(cells.length);
    expect(cells.every((c) => resolutionOf(c) === 2)).toBe(true);
    const fine = cellToChildren(latLngToCell(48.85, 2.35, SPLIT - 1), SPLIT + 3);
    expect(new Set(fine.map((c) => keysOf(c).join())).size).toBe(fine.length);
  });
});
