// FenceIndex: which fences contain a point, through an H3 cover of every fence (see
// cover.ts for the cells and resolutions). A lookup maps the point to its cell at the
// finest resolution the index holds, with one call into h3-js, then walks down from the
// coarsest resolution the index holds, as integer arithmetic on the cell's digits
// (cells.ts): a hit in a certain cell is taken as is, a hit in a boundary cell goes to
// the exact test. Every cell's ancestors at the coarser resolutions the index holds carry
// a count of the cells below them, so the walk stops at the first resolution with nothing
// at or below the point: a point far from every fence costs one probe. A fence's cells
// are disjoint, so no fence is found twice.
import { latLngToCell } from 'h3-js';
import { SPLIT, halvesOf, highAt, lowAt, resolutionOf } from './cells';
import { AreaRegion, Point, Region, holds, pointAt, regionOf } from './contains';
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
 * One cell of the index: `fences` holds an id for a fence the cell is wholly inside and
 * an entry (id and region) for one whose boundary may cross it; `below` counts the cells
 * at finer resolutions inside it.
 */
interface Bucket {
  readonly fences: (string | Entry)[];
  below: number;
}

/** The cells of one resolution: by high key, then (finer than SPLIT) by low key. */
class Level {
  size = 0;
  private readonly coarse = new Map<number, Bucket>();
  private readonly fine = new Map<number, Map<number, Bucket>>();

  constructor(readonly res: number) {}

  get(upper: number, lower: number): Bucket | undefined {
    const high = highAt(upper, lower, this.res);
    return this.res <= SPLIT ? this.coarse.get(high) : this.fine.get(high)?.get(lowAt(lower, this.res));
  }

  /** The bucket of a cell, made if there is none. */
  at(upper: number, lower: number): Bucket {
    const found = this.get(upper, lower);
    if (found !== undefined) return found;
    const bucket: Bucket = { fences: [], below: 0 };
    this.size++;
    const high = highAt(upper, lower, this.res);
    if (this.res <= SPLIT) this.coarse.set(high, bucket);
    else {
      let lows = this.fine.get(high);
      if (lows === undefined) this.fine.set(high, (lows = new Map()));
      lows.set(lowAt(lower, this.res), bucket);
    }
    return bucket;
  }

  /** Forgets the cell if nothing stands on it or below it any more. */
  tidy(upper: number, lower: number, bucket: Bucket): void {
    if (bucket.fences.length > 0 || bucket.below > 0) return;
    this.size--;
    const high = highAt(upper, lower, this.res);
    if (this.res <= SPLIT) this.coarse.delete(high);
    else {
      const lows = this.fine.get(high);
      lows?.delete(lowAt(lower, this.res));
      if (lows?.size === 0) this.fine.delete(high);
    }
  }
}

interface Indexed {
  /** The fence's cells as resolution, upper half, lower half, … */
  readonly cells: readonly number[];
}

/** What one lookup met, for diagnosis (perf/geo/anatomy.ts). */
export interface Tally {
  buckets: number;
  certain: number;
  exact: number;
}

export class FenceIndex {
  /** Coarsest first; only resolutions that hold a cell. */
  private levels: Level[] = [];
  private readonly fences = new Map<string, Indexed>();

  get size(): number {
    return this.fences.size;
  }

  /** Cells by resolution (those marking cells below included), finest first. */
  get cells(): readonly { res: number; cells: number }[] {
    return this.levels.map((l) => ({ res: l.res, cells: l.size })).reverse();
  }

  /** Adds a fence, replacing any fence with the same id. */
  add(fence: Fence): void {
    this.remove(fence.id);
    const entry: Entry = { id: fence.id, region: regionOf(fence.shape) };
    const cover = coverOf(entry.region);
    const cells: number[] = [];
    // A boundary cell of a shape of many parts tests only the parts it meets; cells that
    // meet the same parts share one entry.
    const entries = new Map<string, Entry>();
    const entryOf = (parts: readonly number[] | undefined): Entry => {
      if (parts === undefined || entry.region.kind !== 'area' || parts.length === entry.region.parts.length) return entry;
      const key = parts.join();
      let made = entries.get(key);
      if (made === undefined) {
        const some = parts.map((i) => (entry.region as AreaRegion).parts[i]);
        made = { id: fence.id, region: { kind: 'area', parts: some, south: Math.min(...some.map((p) => p.south)), north: Math.max(...some.map((p) => p.north)) } };
        entries.set(key, made);
      }
      return made;
    };
    // Held before its cells are placed, so that a level made on the way counts those already placed.
    this.fences.set(fence.id, { cells });
    const place = (cell: string, item: string | Entry): void => {
      const res = resolutionOf(cell);
      const { upper, lower } = halvesOf(cell);
      this.level(res).at(upper, lower).fences.push(item);
      this.mark(res, upper, lower, 1);
      cells.push(res, upper, lower);
    };
    for (const cell of cover.inside) place(cell, fence.id);
    cover.edge.forEach((cell, i) => place(cell, entryOf(cover.edgeParts?.[i])));
  }

  /** Removes a fence; false if there was none with this id. */
  remove(id: string): boolean {
    const indexed = this.fences.get(id);
    if (indexed === undefined) return false;
    const { cells } = indexed;
    for (let i = 0; i < cells.length; i += 3) {
      const [res, upper, lower] = [cells[i], cells[i + 1], cells[i + 2]];
      const level = this.level(res);
      const bucket = level.at(upper, lower);
      dropFrom(bucket.fences, id);
      level.tidy(upper, lower, bucket);
      this.mark(res, upper, lower, -1);
    }
    this.fences.delete(id);
    this.levels = this.levels.filter((level) => level.size > 0);
    return true;
  }

  /** Ids of the fences containing the point (boundary included), in no particular order; lat and lng must be in range. */
  containing(lat: number, lng: number, tally?: Tally): string[] {
    const found: string[] = [];
    const levels = this.levels;
    if (levels.length === 0) return found;
    const { upper, lower } = halvesOf(latLngToCell(lat, lng, levels[levels.length - 1].res));
    let point: Point | undefined;
    for (const level of levels) {
      const bucket = level.get(upper, lower);
      if (bucket === undefined) break;
      if (tally !== undefined) tally.buckets++;
      for (const fence of bucket.fences) {
        if (typeof fence === 'string') {
          found.push(fence);
          if (tally !== undefined) tally.certain++;
        } else {
          if (tally !== undefined) tally.exact++;
          if (holds(fence.region, (point ??= pointAt(lat, lng)))) found.push(fence.id);
        }
      }
      if (bucket.below === 0) break;
    }
    return found;
  }

  /** The buckets a lookup would meet, without looking into them: the cost of the cell and the probes, for diagnosis. */
  probe(lat: number, lng: number): number {
    const levels = this.levels;
    if (levels.length === 0) return 0;
    const { upper, lower } = halvesOf(latLngToCell(lat, lng, levels[levels.length - 1].res));
    let met = 0;
    for (const level of levels) {
      const bucket = level.get(upper, lower);
      if (bucket === undefined) break;
      met++;
      if (bucket.below === 0) break;
    }
    return met;
  }

  /** Counts a cell (or stops counting it) in its ancestors at every coarser resolution held. */
  private mark(res: number, upper: number, lower: number, by: 1 | -1): void {
    for (const level of this.levels) {
      if (level.res >= res) break;
      const bucket = level.at(upper, lower);
      bucket.below += by;
      if (by < 0) level.tidy(upper, lower, bucket);
    }
  }

  private level(res: number): Level {
    let level = this.levels.find((l) => l.res === res);
    if (level === undefined) {
      const made = new Level(res);
      this.levels = [...this.levels, made].sort((a, b) => a.res - b.res);
      // The cells already held below it are counted in it.
      for (const { cells } of this.fences.values()) {
        for (let i = 0; i < cells.length; i += 3) if (cells[i] > res) made.at(cells[i + 1], cells[i + 2]).below++;
      }
      level = made;
    }
    return level;
  }
}

/** Drops the fence's one item (its id, or an entry of it) from a cell. */
const dropFrom = (list: (string | Entry)[], id: string): void => {
  const i = list.findIndex((item) => item === id || (typeof item !== 'string' && item.id === id));
  if (i < 0) return;
  list[i] = list[list.length - 1];
  list.pop();
};
