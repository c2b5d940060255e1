// Where one FenceIndex lookup's time goes: the one latLngToCell, then the cell's keys at
// each resolution the index holds and a Map probe there (FenceIndex.probe), then the
// buckets found (a certain hit is taken as is, a boundary entry costs an exact test).
import { latLngToCell } from 'h3-js';
import type { FenceIndex, Tally } from '../../src/domain/geo/index';
import type { Position } from '../../src/domain/geo/shape';

export interface Anatomy {
  /** Resolution: cells, finest first. */
  readonly levels: string;
  readonly cells: number;
  /** Per lookup, on average. */
  readonly bucketsHit: number;
  readonly certainHits: number;
  readonly exactTests: number;
  /** CPU µs per lookup: latLngToCell alone (at the index's finest resolution); it plus the keys and Map probes at every level; the whole lookup. */
  readonly h3Us: number;
  readonly h3AndProbesUs: number;
  readonly lookupUs: number;
}

export const anatomy = (index: FenceIndex, positions: readonly Position[], rounds: number): Anatomy | undefined => {
  const levels = index.cells;
  if (levels.length === 0) return undefined;
  const finest = levels[0].res;
  const tally: Tally = { buckets: 0, certain: 0, exact: 0 };
  for (const [lng, lat] of positions) index.containing(lat, lng, tally);
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
    levels: levels.map((l) => `${l.res}:${l.cells}`).join(' '),
    cells: levels.reduce((a, l) => a + l.cells, 0),
    bucketsHit: +(tally.buckets / n).toFixed(2),
    certainHits: +(tally.certain / n).toFixed(2),
    exactTests: +(tally.exact / n).toFixed(2),
    h3Us: best(([lng, lat]) => latLngToCell(lat, lng, finest).length),
    h3AndProbesUs: best(([lng, lat]) => index.probe(lat, lng)),
    lookupUs: best(([lng, lat]) => index.containing(lat, lng).length),
  };
};
