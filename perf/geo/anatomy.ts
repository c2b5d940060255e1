// Where one FenceIndex lookup's time goes, from outside the index: the one
// latLngToCell, then the cell's key at each resolution the index holds and a Map probe
// there, then the buckets found (a certain hit is taken as is, a boundary entry costs an
// exact test). The levels are the index's private state, read here for diagnosis only:
// if FenceIndex changes shape, the anatomy is left out rather than wrong.
import { latLngToCell } from 'h3-js';
import { baseOf, digitsOf, keyAt } from '../../src/domain/geo/cells';
import { LOOKUP_RES } from '../../src/domain/geo/cover';
import type { FenceIndex } from '../../src/domain/geo/index';
import type { Position } from '../../src/domain/geo/shape';

interface Level {
  readonly res: number;
  readonly cells: Map<number, readonly unknown[]>;
}

const levelsOf = (index: FenceIndex): readonly Level[] | undefined => {
  const levels = (index as unknown as { levels?: unknown }).levels;
  if (!Array.isArray(levels) || !levels.every((l) => typeof l?.res === 'number' && l?.cells instanceof Map)) return undefined;
  return levels as Level[];
};

export interface Anatomy {
  /** Resolution: cells, finest first. */
  readonly levels: string;
  readonly cells: number;
  /** Per lookup, on average. */
  readonly bucketsHit: number;
  readonly certainHits: number;
  readonly exactTests: number;
  /** CPU µs per lookup: latLngToCell alone; it plus the keys and Map probes at every level; the whole lookup. */
  readonly h3Us: number;
  readonly h3AndProbesUs: number;
  readonly lookupUs: number;
}

export const anatomy = (index: FenceIndex, positions: readonly Position[], rounds: number): Anatomy | undefined => {
  const levels = levelsOf(index);
  if (levels === undefined) return undefined;
  let buckets = 0;
  let certain = 0;
  let exact = 0;
  for (const [lng, lat] of positions) {
    const cell = latLngToCell(lat, lng, LOOKUP_RES);
    const base = baseOf(cell);
    const digits = digitsOf(cell);
    for (const level of levels) {
      const bucket = level.cells.get(keyAt(base, digits, level.res));
      if (bucket === undefined) continue;
      buckets++;
      for (const entry of bucket) if (typeof entry === 'string') certain++;
      else exact++;
    }
  }
  // CPU time, not wall time: on a shared host the wall clock also counts other processes' turns.
  const best = (f: (p: Position) => number) => {
    let us = Infinity;
    let sink = 0;
    for (let r = 0; r < rounds; r++) {
      const cpu = process.cpuUsage();
      for (const p of positions) sink += f(p);
      const used = process.cpuUsage(cpu);
      us = Math.min(us, used.user + used.system);
    }
    return sink >= 0 ? +(us / positions.length).toFixed(2) : NaN;
  };
  const n = positions.length;
  return {
    levels: levels.map((l) => `${l.res}:${l.cells.size}`).join(' '),
    cells: levels.reduce((a, l) => a + l.cells.size, 0),
    bucketsHit: +(buckets / n).toFixed(2),
    certainHits: +(certain / n).toFixed(2),
    exactTests: +(exact / n).toFixed(2),
    h3Us: best(([lng, lat]) => latLngToCell(lat, lng, LOOKUP_RES).length),
    h3AndProbesUs: best(([lng, lat]) => {
      const cell = latLngToCell(lat, lng, LOOKUP_RES);
      const base = baseOf(cell);
      const digits = digitsOf(cell);
      let found = 0;
      for (const level of levels) if (level.cells.get(keyAt(base, digits, level.res)) !== undefined) found++;
      return found;
    }),
    lookupUs: best(([lng, lat]) => index.containing(lat, lng).length),
  };
};
