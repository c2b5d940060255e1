// Simulated devices for trying fences out: a few vehicles driving fixed routes around a
// point, one position each a second, sent as `location.update`s.
import { Observable, SchedulerLike, asyncScheduler, map, timer } from 'rxjs';
import { Point, offset } from './geo';

export interface SimulatedDevice {
  readonly id: string;
  /** Where the device is `elapsed` ms after the simulation started. */
  readonly position: (elapsed: number) => Point;
}

export interface Fix extends Point {
  readonly device: string;
  readonly at: number;
}

/** A stretch of a route: drive to `to` (east, north, in units of the radius), taking `ms`. */
interface Leg {
  readonly to: readonly [number, number];
  readonly ms: number;
}

/** A loop from `start` through `legs` and back to its start, then again. */
const route = (center: Point, radius: number, start: readonly [number, number], legs: readonly Leg[]) => {
  const total = legs.reduce((t, l) => t + l.ms, 0);
  return (elapsed: number): Point => {
    let t = elapsed % total;
    let from = start;
    for (const leg of legs) {
      if (t < leg.ms) {
        const f = t / leg.ms;
        return offset(center, radius * (from[0] + (leg.to[0] - from[0]) * f), radius * (from[1] + (leg.to[1] - from[1]) * f));
      }
      t -= leg.ms;
      from = leg.to;
    }
    return offset(center, radius * start[0], radius * start[1]);
  };
};

const TURN = 2 * Math.PI;

/**
 * Three devices within `radius` metres of `center`. The first starts at the centre and
 * waits there before each trip east and west, so a fence around the centre sees it
 * enter at once and dwell; the second crosses the centre north–south; the third circles it.
 */
export const devicesAround = (owner: string, center: Point, radius: number): SimulatedDevice[] => [
  {
    id: `${owner}-van-1`,
    position: route(center, radius, [0, 0], [
      { to: [0, 0], ms: 8000 },
      { to: [1, 0], ms: 8000 },
      { to: [0, 0], ms: 8000 },
      { to: [0, 0], ms: 6000 },
      { to: [-1, 0], ms: 8000 },
      { to: [0, 0], ms: 8000 },
    ]),
  },
  {
    id: `${owner}-van-2`,
    position: route(center, radius, [0, 1], [
      { to: [0, -1], ms: 16_000 },
      { to: [0, 1], ms: 16_000 },
    ]),
  },
  {
    id: `${owner}-bike-3`,
    position: (t) => offset(center, 0.55 * radius * Math.cos((TURN * t) / 30_000), 0.55 * radius * Math.sin((TURN * t) / 30_000)),
  },
];

/** Every device's position, now and then every `everyMs`, with the time it was taken. */
export const drive = (devices: readonly SimulatedDevice[], everyMs = 1000, scheduler: SchedulerLike = asyncScheduler): Observable<readonly Fix[]> =>
  timer(0, everyMs, scheduler).pipe(map((i) => devices.map((d) => ({ device: d.id, ...d.position(i * everyMs), at: scheduler.now() }))));
