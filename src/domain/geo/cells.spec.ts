import { cellToParent, getBaseCellNumber, getRes0Cells, cellToChildren, latLngToCell } from 'h3-js';
import { baseOf, cellKey, digitsOf, keyAt, resolutionOf } from './cells';

describe('cell keys', () => {
  const points = Array.from({ length: 300 }, (_, i) => [Math.asin(((i * 0.6180339887) % 1) * 2 - 1) * 57.29577951308232, ((i * 0.7548776662) % 1) * 360 - 180]);

  it('walk a point up its ancestors as cellToParent does', () => {
    for (const [lat, lng] of points) {
      const cell = latLngToCell(lat, lng, 15);
      expect(baseOf(cell)).toBe(getBaseCellNumber(cell));
      for (let res = 0; res <= 15; res++) {
        expect(keyAt(baseOf(cell), digitsOf(cell), res)).toBe(cellKey(cellToParent(cell, res), res));
      }
    }
  });

  it('are distinct for distinct cells of a resolution', () => {
    const cells = getRes0Cells().flatMap((c) => cellToChildren(c, 2));
    expect(new Set(cells.map((c) => cellKey(c, 2))).size).toBe(cells.length);
    expect(cells.every((c) => resolutionOf(c) === 2)).toBe(true);
  });
});
