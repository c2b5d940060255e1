// H3 cells as integers, for the index's maps. An H3 cell index is 64 bits: mode and
// resolution, a base cell (7 bits) and one 3-bit digit per resolution, 15 digits in the
// 45 lowest bits; a cell at resolution r is its base cell and its first r digits. So
// the keys of a point's ancestor at any resolution come from its one fine cell by
// integer arithmetic, with no further call into h3-js. Keys are small integers, which
// V8 keeps unboxed and Maps hash without allocating: `high`, the base cell and the
// first SPLIT digits (7 + 24 = 31 bits), and for finer cells `low`, the digits past
// SPLIT (at most 21 bits, all in the index's low 32 bits).
/** Digits in the high key. */
export const SPLIT = 8;

/** A cell index as its two 32-bit halves: `upper` (mode, resolution, base cell, digits 1–4 and part of 5) and `lower`. */
export interface Halves {
  readonly upper: number;
  readonly lower: number;
}

/** The resolution of an H3 cell index: its second hex digit. */
export const resolutionOf = (cell: string): number => parseInt(cell[1], 16);

// '0'–'9' and 'a'–'f' (h3-js writes lower case).
const hexDigit = (code: number): number => (code <= 57 ? code - 48 : code - 87);

/** Parsed by hand: no substrings on the lookup's path. */
export const halvesOf = (cell: string): Halves => {
  const split = cell.length - 8;
  let upper = 0;
  for (let i = 0; i < split; i++) upper = upper * 16 + hexDigit(cell.charCodeAt(i));
  let lower = 0;
  for (let i = split; i < cell.length; i++) lower = lower * 16 + hexDigit(cell.charCodeAt(i));
  return { upper, lower };
};

/** The base cell, from the upper half. */
export const baseOf = (upper: number): number => (upper >>> 13) & 0x7f;

/** The high key of the ancestor at `res` (digits 1–res for res ≤ SPLIT, else 1–SPLIT). */
export const highAt = (upper: number, lower: number, res: number): number => {
  const r = res < SPLIT ? res : SPLIT;
  // The first r digits are the top 3r of the 45 digit bits: 13 of them in `upper`, 32 in `lower`.
  const digits = r <= 4 ? (upper & 0x1fff) >>> (13 - 3 * r) : ((upper & 0x1fff) << (3 * r - 13)) | (lower >>> (45 - 3 * r));
  // base < 122, so base · 8^r + digits < 2^31.
  return (((upper >>> 13) & 0x7f) << (3 * r)) + digits;
};

/** The low key of the ancestor at `res`: digits SPLIT+1 to res (0 at SPLIT and coarser). */
export const lowAt = (lower: number, res: number): number => (res <= SPLIT ? 0 : (lower >>> (3 * (15 - res))) & ((1 << (3 * (res - SPLIT))) - 1));

/** A cell's keys at its own resolution, as [high, low]. */
export const keysOf = (cell: string): [number, number] => {
  const res = resolutionOf(cell);
  const { upper, lower } = halvesOf(cell);
  return [highAt(upper, lower, res), lowAt(lower, res)];
};
