// The geofence workload, seeded, so that every process of the benchmark (the lookups,
// the load clients, the oracle) builds the same fences and walks the same devices:
// - fences: 50 m to 5 km across (log-uniform), half circles and half star-shaped
//   polygons of 6–24 corners, a fifth of those with a hole, centred uniformly over a
//   50 km square around Paris;
// - positions: uniform over the square (the in-process lookups);
// - devices: one seeded random walk each, from a uniform start, turning a little at
//   each step and bouncing off the square's sides (the end-to-end run).
// The real borders (borders.ts) use the same positions and walks over their own area.
// Positions a device sends are rounded to 1e-7° (1 cm), so the text on the wire parses
// back to exactly the double the oracle tests.
import { isRight } from 'fp-ts/Either';
import type { Geometry } from '../../src/domain/geo/geos';
import type { Position, Shape } from '../../src/domain/geo/shape';
import { admitShape } from '../../src/domain/geo/validity';
import { EARTH_RADIUS_M } from '../../src/domain/geo/sphere';
import { Rng, seeded } from '../../spec/support/random';

export const MIN_FENCE_M = 50;
export const MAX_FENCE_M = 5_000;

const RAD = Math.PI / 180;
const M_PER_DEG_LAT = EARTH_RADIUS_M * RAD;

/** A lng/lat box where positions are drawn and devices walk. */
export interface Area {
  readonly south: number;
  readonly north: number;
  readonly west: number;
  readonly east: number;
}

/** The synthetic fences' square: 50 km around Paris. */
const PARIS = { lat: 48.8566, lng: 2.3522, halfSideM: 25_000 } as const;
export const SYNTHETIC_AREA: Area = {
  south: PARIS.lat - PARIS.halfSideM / M_PER_DEG_LAT,
  north: PARIS.lat + PARIS.halfSideM / M_PER_DEG_LAT,
  west: PARIS.lng - PARIS.halfSideM / (M_PER_DEG_LAT * Math.cos(PARIS.lat * RAD)),
  east: PARIS.lng + PARIS.halfSideM / (M_PER_DEG_LAT * Math.cos(PARIS.lat * RAD)),
};

/** A fence as sent in `fence.create` (`raw`, plain JSON) and as the server parses it (`shape`). */
export interface FenceSpec {
  readonly id: string;
  readonly raw: unknown;
  readonly shape: Shape;
}

const between = (random: Rng, lo: number, hi: number) => lo + (hi - lo) * random();
const logBetween = (random: Rng, lo: number, hi: number) => Math.exp(between(random, Math.log(lo), Math.log(hi)));

/** The point `distance` metres from (lat, lng) along `bearing` (radians), on the sphere. */
export const offset = (lat: number, lng: number, distance: number, bearing: number): Position => {
  const d = distance / EARTH_RADIUS_M;
  const φ1 = lat * RAD;
  const φ2 = Math.asin(Math.sin(φ1) * Math.cos(d) + Math.cos(φ1) * Math.sin(d) * Math.cos(bearing));
  const λ2 = lng * RAD + Math.atan2(Math.sin(bearing) * Math.sin(d) * Math.cos(φ1), Math.cos(d) - Math.sin(φ1) * Math.sin(φ2));
  return [λ2 / RAD, φ2 / RAD];
};

const inArea = (random: Rng, { west, east, south, north }: Area = SYNTHETIC_AREA): Position => [between(random, west, east), between(random, south, north)];

// Corners at sorted random bearings and random distances: a star around the centre,
// which never crosses itself.
const star = (random: Rng, lat: number, lng: number, lo: number, hi: number, corners: number): Position[] => {
  const bearings = Array.from({ length: corners }, () => between(random, 0, 2 * Math.PI)).sort((a, b) => a - b);
  const ring = bearings.map((b) => offset(lat, lng, between(random, lo, hi), b));
  return [...ring, ring[0]];
};

const fenceShape = (random: Rng, geometry: Geometry): { raw: unknown; shape: Shape } => {
  for (;;) {
    const [lng, lat] = inArea(random);
    const radius = logBetween(random, MIN_FENCE_M, MAX_FENCE_M) / 2;
    const raw =
      random() < 0.5
        ? { type: 'Circle', center: [lng, lat], radius }
        : {
            type: 'Polygon',
            coordinates: [
              star(random, lat, lng, radius * 0.5, radius, 6 + Math.floor(random() * 19)),
              ...(random() < 0.2 ? [star(random, lat, lng, radius * 0.1, radius * 0.3, 5)] : []),
            ],
          };
    // Two random bearings can land close enough to make a degenerate ring; such a shape
    // is refused by the server as it is here, so draw another.
    const admitted = admitShape(raw, 'fence.shape', geometry);
    if (isRight(admitted)) return { raw, shape: admitted.right.shape };
  }
};

export const fenceId = (i: number) => `f${i}`;

export const makeFences = (seed: number, count: number, geometry: Geometry): FenceSpec[] => {
  const random = seeded(seed);
  return Array.from({ length: count }, (_, i) => ({ id: fenceId(i), ...fenceShape(random, geometry) }));
};

export const uniformPositions = (seed: number, count: number, area: Area = SYNTHETIC_AREA): Position[] => {
  const random = seeded(seed ^ 0x5bd1e995);
  return Array.from({ length: count }, () => inArea(random, area));
};

export const deviceId = (i: number) => `d${i}`;

/** One device's stream of seeds, independent of every other device's (so processes can own any subset). */
const deviceSeed = (seed: number, device: number) => (Math.imul(seed ^ 0x27d4eb2f, 0x9e3779b1) ^ Math.imul(device + 1, 0x85ebca77)) >>> 0;

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;

/**
 * A device walking: `lat`/`lng` is its current position (what it sends next), `step()`
 * moves it `stepM` metres on average. The first position is the walk's start.
 * Metres to degrees at the area's centre latitude: over 50 km the error is a few
 * per mille of a step, and the walk only has to be the same everywhere, not exact.
 */
export class Walk {
  lat: number;
  lng: number;
  private heading: number;
  private readonly random: Rng;
  private readonly mPerDegLng: number;

  constructor(seed: number, device: number, private readonly stepM: number, private readonly area: Area = SYNTHETIC_AREA) {
    this.random = seeded(deviceSeed(seed, device));
    this.mPerDegLng = M_PER_DEG_LAT * Math.cos(((area.south + area.north) / 2) * RAD);
    const [lng, lat] = inArea(this.random, area);
    this.lat = round7(lat);
    this.lng = round7(lng);
    this.heading = between(this.random, 0, 2 * Math.PI);
  }

  step(): void {
    const r = this.random;
    this.heading += (r() - 0.5) * 0.8;
    const d = this.stepM * (0.5 + r());
    let lat = this.lat + (d * Math.cos(this.heading)) / M_PER_DEG_LAT;
    let lng = this.lng + (d * Math.sin(this.heading)) / this.mPerDegLng;
    // Bounce: mirror the heading on the side it crossed and stay inside.
    const { south, north, west, east } = this.area;
    if (lat < south || lat > north) {
      this.heading = Math.PI - this.heading;
      lat = Math.min(north, Math.max(south, lat));
    }
    if (lng < west || lng > east) {
      this.heading = -this.heading;
      lng = Math.min(east, Math.max(west, lng));
    }
    this.lat = round7(lat);
    this.lng = round7(lng);
  }
}
