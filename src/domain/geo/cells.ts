// H3 cells as numbers, for the index's maps. An H3 cell index is a base cell (7 bits)
// and one 3-bit digit per resolution; a cell at resolution r is its base cell and its
// first r digits, 7 + 3r ≤ 52 bits, which a double holds exactly. So the key of a
// point's ancestor at any resolution comes from its one fine cell by arithmetic, with
// no further call into h3-js.
const TOTAL_DIGITS = 15;
const SCALE = Array.from({ length: TOTAL_DIGITS + 1 }, (_, r) => 8 ** r);
const DROP = Array.from({ length: TOTAL_DIGITS + 1 }, (_, r) => 8 ** (TOTAL_DIGITS - r));

/** The resolution of an H3 cell index: its second hex digit. */
export const resolutionOf = (cell: string): number => parseInt(cell[1], 16);

/** The base cell of an H3 cell index (hex string). */
export const baseOf = (cell: string): number => (parseInt(cell.slice(0, -8), 16) >>> 13) & 0x7f;

/** All 15 digits of an H3 cell index as one 45-bit number (digits past its resolution are 7). */
export const digitsOf = (cell: string): number =>
  (parseInt(cell.slice(0, -8), 16) & 0x1fff) * 0x1_0000_0000 + parseInt(cell.slice(-8), 16);

/** The key of the ancestor at `res` of the cell with these base and digits. */
export const keyAt = (base: number, digits: number, res: number): number =>
  base * SCALE[res] + Math.floor(digits / DROP[res]);

export const cellKey = (cell: string, res: number): number => keyAt(baseOf(cell), digitsOf(cell), res);
