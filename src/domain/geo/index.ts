// FenceIndex: which fences contain a point, through an H3 cover of every fence (see
// cover.ts for the cells and resolutions). A lookup maps the point to its cell at
// LOOKUP_RES once, then walks up through each resolution that holds any cell, as plain
// arithmetic on the cell's digits (cells.ts): a hit in a certain cell is taken as is, a
// hit in a boundary cell goes to the exact test. A fence's cells are disjoint, so no
// fence is found twice.
import { latLngToCell } from 'h3-js';
import { baseOf, cellKey, digitsOf, keyAt, resolutionOf } from './cells';
import { Point, Region, holds, pointAt, regionOf } from './contains';
import { LOOKUP_RES, coverOf } from './cover';
import type { Shape } from './shape';

export interface Fence {
  readonly id: string;
  readonly shape: Shape;
}

interface Entry {
  readonly id: string;
  readonly region: Region;
}

/**
 * The fences standing on one cell: an id for a fence the cell is wholly inside, an
 * entry (id and region) for one whose boundary may cross the cell. One array a cell
 * keeps a big index small.
 */
type Bucket = (string | Entry)[];

interface Level {
  readonly res: number;
  readonly cells: Map<number, Bucket>;
}

interface Indexed {
  readonly entry: Entry;
  /** The fence's cells as resolution, key, resolution, key, … */
  readonly cells: readonly number[];
}

export class FenceIndex {
  /** Finest first; only resolutions that hold a cell. */
  private levels: Level[] = [];
  private readonly fences = new Map<string, Indexed>();

  get size(): number {
    return this.fences.size;
  }

  /** Adds a fence, replacing any fence with the same id. */
  add(fence: Fence): void {
    this.remove(fence.id);
    const entry: Entry = { id: fence.id, region: regionOf(fence.shape) };
    const cover = coverOf(entry.region);
    const cells: number[] = [];
    const place = (cell: string, res: number, certain: boolean): void => {
      const level = this.level(res);
      const key = cellKey(cell, res);
      const bucket = level.cells.get(key);
      if (bucket === undefined) level.cells.set(key, [certain ? fence.id : entry]);
      else bucket.push(certain ? fence.id : entry);
      cells.push(res, key);
    };
    for (const cell of cover.inside) place(cell, resolutionOf(cell), true);
    for (const cell of cover.edge) place(cell, cover.res, false);
    this.fences.set(fence.id, { entry, cells });
  }

  /** Removes a fence; false if there was none with this id. */
  remove(id: string): boolean {
    const indexed = this.fences.get(id);
    if (indexed === undefined) return false;
    for (let i = 0; i < indexed.cells.length; i += 2) {
      const level = this.level(indexed.cells[i]);
      const key = indexed.cells[i + 1];
      const bucket = level.cells.get(key);
      if (bucket === undefined) continue;
      dropFrom(bucket, id);
      dropFrom(bucket, indexed.entry);
      if (bucket.length === 0) level.cells.delete(key);
    }
    this.fences.delete(id);
    this.levels = this.levels.filter((level) => level.cells.size > 0);
    return true;
  }

  /** Ids of the fences containing the point (boundary included), in no particular order; lat and lng must be in range. */
  containing(lat: number, lng: number): string[] {
    const found: string[] = [];
    if (this.levels.length === 0) return found;
    const cell = latLngToCell(lat, lng, LOOKUP_RES);
    const base = baseOf(cell);
    const digits = digitsOf(cell);
    let point: Point | undefined;
    for (const level of this.levels) {
      const bucket = level.cells.get(keyAt(base, digits, level.res));
      if (bucket === undefined) continue;
      for (const fence of bucket) {
        if (typeof fence === 'string') found.push(fence);
        else if (holds(fence.region, (point ??= pointAt(lat, lng)))) found.push(fence.id);
      }
    }
    return found;
  }

  private level(res: number): Level {
    let level = this.levels.find((l) => l.res === res);
    if (level === undefined) {
      level = { res, cells: new Map() };
      this.levels = [...this.levels, level].sort((a, b) => b.res - a.res);
    }
    return level;
  }
}

const dropFrom = (list: Bucket, item: string | Entry): void => {
  const i = list.indexOf(item);
  if (i < 0) return;
  list[i] = list[list.length - 1];
  list.pop();
};
