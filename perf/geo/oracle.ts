// What the server should have said: the devices' walks replayed in process, each
// position looked up in a FenceIndex of the same fences, enters and exits counted the
// way PROTOCOL.md defines them (enter on the first update inside after outside or
// unknown, exit on the first update outside after inside). The walks are seeded and
// the load clients report how many updates each device sent, so the replay is exact.
// Fences have no dwellMs, so no dwell is expected; updates carry no `at`, and the
// server's clock only moves forward, so none is stale.
//
// A sample of the replayed devices is replayed a second time with the brute-force exact
// test over every fence, so the check does not rest on FenceIndex alone.
import { holds, pointAt, regionOf } from '../../src/domain/geo/contains';
import { FenceIndex } from '../../src/domain/geo/index';
import { Area, FenceSpec, Walk } from './workload';

export interface Expected {
  /** Devices replayed: every `every`-th device that sent anything. */
  readonly checked: Uint8Array;
  readonly devices: number;
  readonly updates: number;
  /** By device, over every update. */
  readonly enters: Int32Array;
  readonly exits: Int32Array;
  /** By device, over the updates after each device's first (the stream the subscribers saw). */
  readonly streamEnters: Int32Array;
  readonly streamExits: Int32Array;
  readonly bruteDevices: number;
  readonly bruteMismatches: number;
  readonly ms: number;
}

export interface OracleOptions {
  readonly seed: number;
  readonly stepM: number;
  readonly area: Area;
  readonly every: number;
  readonly bruteDevices: number;
}

export const predict = (index: FenceIndex, fences: readonly FenceSpec[], updates: Int32Array, o: OracleOptions): Expected => {
  const t0 = performance.now();
  const n = updates.length;
  const checked = new Uint8Array(n);
  const enters = new Int32Array(n);
  const exits = new Int32Array(n);
  const streamEnters = new Int32Array(n);
  const streamExits = new Int32Array(n);
  const regions = fences.map((f) => ({ id: f.id, region: regionOf(f.shape) }));
  const brute = (lat: number, lng: number) => {
    const p = pointAt(lat, lng);
    const found: string[] = [];
    for (const f of regions) if (holds(f.region, p)) found.push(f.id);
    return found;
  };
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();
  let devices = 0;
  let total = 0;
  let bruteDevices = 0;
  let bruteMismatches = 0;
  for (let d = 0; d < n; d += o.every) {
    const count = updates[d];
    if (count === 0) continue;
    checked[d] = 1;
    devices++;
    total += count;
    const withBrute = bruteDevices < o.bruteDevices;
    if (withBrute) bruteDevices++;
    const walk = new Walk(o.seed, d, o.stepM, o.area);
    let inside = new Set<string>();
    for (let k = 0; k < count; k++) {
      if (k > 0) walk.step();
      const found = index.containing(walk.lat, walk.lng);
      if (withBrute && !same(found, brute(walk.lat, walk.lng))) bruteMismatches++;
      const now = new Set(found);
      let entered = 0;
      let exited = 0;
      for (const f of now) if (!inside.has(f)) entered++;
      for (const f of inside) if (!now.has(f)) exited++;
      enters[d] += entered;
      exits[d] += exited;
      if (k > 0) {
        streamEnters[d] += entered;
        streamExits[d] += exited;
      }
      inside = now;
    }
  }
  return { checked, devices, updates: total, enters, exits, streamEnters, streamExits, bruteDevices, bruteMismatches, ms: Math.round(performance.now() - t0) };
};

/** Observed against expected, over the checked devices: totals and how many devices differ. */
export const compare = (expected: Int32Array, observed: Int32Array, checked: Uint8Array) => {
  let want = 0;
  let got = 0;
  let devicesOff = 0;
  const samples: string[] = [];
  for (let d = 0; d < checked.length; d++) {
    if (!checked[d]) continue;
    want += expected[d];
    got += observed[d];
    if (expected[d] !== observed[d]) {
      devicesOff++;
      if (samples.length < 3) samples.push(`d${d}: expected ${expected[d]}, got ${observed[d]}`);
    }
  }
  return { expected: want, observed: got, devicesOff, ok: devicesOff === 0, samples };
};
