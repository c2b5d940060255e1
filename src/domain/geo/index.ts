// FenceIndex: which fences contain a point, through an H3 cover of every fence (see
// cover.ts for the cells and resolutions). A lookup maps the point to its cell at the
// finest resolution the index holds, with one call into h3-js, then walks up through
// each resolution that holds any cell, as integer arithmetic on the cell's digits
// (cells.ts): a hit in a certain cell is taken as is, a hit in a boundary cell goes to
// the exact test. A fence's cells are disjoint, so no fence is found twice.
import { latLngToCell } from 'h3-js';
import { SPLIT, halvesOf, highAt, keysOf, lowAt, resolutionOf } from './cells';
import { Point, Region, holds, pointAt, regionOf } from './contains';
import { coverOf } from './cover';
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

/** The cells of one resolution: by high key, then (finer than SPLIT) by low key. */
class Level {
  size = 0;
  private readonly coarse = new Map<number, Bucket>();
  private readonly fine = new Map<number, Map<number, Bucket>>();

  constructor(readonly res: number) {}

  get(high: number, low: number): Bucket | undefined {
    return this.res <= SPLIT ? this.coarse.get(high) : this.fine.get(high)?.get(low);
  }

  add(high: number, low: number, item: string | Entry): void {
    const bucket = this.get(high, low);
    if (bucket !== undefined) {
      bucket.push(item);
      return;
    }
    this.size++;
    if (this.res <= SPLIT) this.coarse.set(high, [item]);
    else {
      let lows = this.fine.get(high);
      if (lows === undefined) this.fine.set(high, (lows = new Map()));
      lows.set(low, [item]);
    }
  }

  remove(high: number, low: number, items: readonly (string | Entry)[]): void {
    const bucket = this.get(high, low);
    if (bucket === undefined) return;
    for (const item of items) dropFrom(bucket, item);
    if (bucket.length > 0) return;
    this.size--;
    if (this.res <= SPLIT) this.coarse.delete(high);
    else {
      const lows = this.fine.get(high);
      lows?.delete(low);
      if (lows?.size === 0) this.fine.delete(high);
    }
  }
}

interface Indexed {
  readonly entry: Entry;
  /** The fence's cells as resolution, high key, low key, … */
  readonly cells: readonly number[];
}

/** What one lookup met, for diagnosis (perf/geo/anatomy.ts). */
export interface Tally {
  buckets: number;
  certain: number;
  exact: number;
}

export class FenceIndex {
  /** Finest first; only resolutions that hold a cell. */
  private levels: Level[] = [];
  private readonly fences = new Map<string, Indexed>();

  get size(): number {
    return this.fences.size;
  }

  /** Cells by resolution, finest first. */
  get cells(): readonly { res: number; cells: number }[] {
    return this.levels.map((l) => ({ res: l.res, cells: l.size }));
  }

  /** Adds a fence, replacing any fence with the same id. */
  add(fence: Fence): void {
    this.remove(fence.id);
    const entry: Entry = { id: fence.id, region: regionOf(fence.shape) };
    const cover = coverOf(entry.region);
    const cells: number[] = [];
    const place = (cell: string, certain: boolean): void => {
      const res = resolutionOf(cell);
      const [high, low] = keysOf(cell);
      this.level(res).add(high, low, certain ? fence.id : entry);
      cells.push(res, high, low);
    };
    for (const cell of cover.inside) place(cell, true);
    for (const cell of cover.edge) place(cell, false);
    this.fences.set(fence.id, { entry, cells });
  }

  /** Removes a fence; false if there was none with this id. */
  remove(id: string): boolean {
    const indexed = this.fences.get(id);
    if (indexed === undefined) return false;
    const { cells, entry } = indexed;
    for (let i = 0; i < cells.length; i += 3) this.level(cells[i]).remove(cells[i + 1], cells[i + 2], [id, entry]);
    this.fences.delete(id);
    this.levels = this.levels.filter((level) => level.size > 0);
    return true;
  }

  /** Ids of the fences containing the point (boundary included), in no particular order; lat and lng must be in range. */
  containing(lat: number, lng: number, tally?: Tally): string[] {
    const found: string[] = [];
    const levels = this.levels;
    if (levels.length === 0) return found;
    const { upper, lower } = halvesOf(latLngToCell(lat, lng, levels[0].res));
    let point: Point | undefined;
    for (const level of levels) {
      const bucket = level.get(highAt(upper, lower, level.res), lowAt(lower, level.res));
      if (bucket === undefined) continue;
      if (tally !== undefined) tally.buckets++;
      for (const fence of bucket) {
        if (typeof fence === 'string') {
          found.push(fence);
          if (tally !== undefined) tally.certain++;
        } else {
          if (tally !== undefined) tally.exact++;
          if (holds(fence.region, (point ??= pointAt(lat, lng)))) found.push(fence.id);
        }
      }
    }
    return found;
  }

  /** The buckets a lookup would meet, without looking into them: the cost of the cell and the probes, for diagnosis. */
  probe(lat: number, lng: number): number {
    const levels = this.levels;
    if (levels.length === 0) return 0;
    const { upper, lower } = halvesOf(latLngToCell(lat, lng, levels[0].res));
    let met = 0;
    for (const level of levels) if (level.get(highAt(upper, lower, level.res), lowAt(lower, level.res)) !== undefined) met++;
    return met;
  }

  private level(res: number): Level {
    let level = this.levels.find((l) => l.res === res);
    if (level === undefined) {
      level = new Level(res);
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
