// The enter / exit / dwell rules of PROTOCOL.md, as pure functions of a device's state.
// Which fences contain a point is asked elsewhere (FenceIndex, or `contains` for one
// fence); time comes in as a value: an update's `at`, or the server's time for fence
// creates and deletes.
//
// Rules as read from the protocol:
// - enter on the first update inside a fence after being outside or unknown; exit on
//   the first update outside after being inside; nothing repeats while that holds;
// - dwell once per stay, on the first LATER update (not the enter itself, even when
//   dwellMs is 0) whose `at` is at least dwellMs after the enter's `at`; a fence
//   without dwellMs never dwells;
// - an update older than the device's last `at` changes nothing and is marked stale,
//   so the caller still stores it; an update as old as the last one counts;
// - creating (or replacing) a fence tests every device's last position against it:
//   enter if now inside and not before, exit if inside the replaced shape and not the
//   new one; a device inside both keeps its stay (enter time, dwelled or not). Deleting
//   a fence exits every device inside it. These events carry the server's time.
// Events of one update come exits first, then enters, then dwells, each by fence id.
import { contains } from './contains';
import type { Shape } from './shape';

/** A device's stay in one fence. */
export interface Stay {
  readonly enteredAt: number;
  readonly dwelled: boolean;
}

export interface DeviceState {
  readonly device: string;
  /** The newest position taken: the last update that was not stale. */
  readonly lat: number;
  readonly lng: number;
  readonly at: number;
  /** The fences the device is inside, by fence id. */
  readonly stays: ReadonlyMap<string, Stay>;
}

export interface LocationUpdate {
  readonly device: string;
  readonly lat: number;
  readonly lng: number;
  readonly at: number;
}

export interface FenceEvent {
  readonly event: 'enter' | 'exit' | 'dwell';
  readonly fence: string;
  readonly device: string;
  readonly lat: number;
  readonly lng: number;
  readonly at: number;
}

export interface Located {
  readonly next: DeviceState;
  readonly events: readonly FenceEvent[];
  /** Older than the device's last `at`: store it, but it changed nothing. */
  readonly stale: boolean;
}

/** The dwellMs of a fence, undefined for a fence without one. */
export type DwellOf = (fence: string) => number | undefined;

export interface Changed {
  /** The devices whose state changed; the others are as they were. */
  readonly devices: readonly DeviceState[];
  readonly events: readonly FenceEvent[];
}

const eventsOf = (event: FenceEvent['event'], fences: string[], where: LocationUpdate): FenceEvent[] =>
  fences.sort().map((fence) => ({ event, fence, device: where.device, lat: where.lat, lng: where.lng, at: where.at }));

// Most updates change nothing: the device is in the fences it was in and no stay has
// come to its dwell. Then its stays are kept as they are (they are never mutated),
// without building a new map.
const unchanged = (prev: DeviceState, update: LocationUpdate, inside: ReadonlySet<string> | readonly string[], dwellOf: DwellOf): boolean => {
  const size = inside instanceof Set ? inside.size : (inside as readonly string[]).length;
  if (size !== prev.stays.size) return false;
  for (const fence of inside) {
    const stay = prev.stays.get(fence);
    if (stay === undefined) return false;
    if (stay.dwelled) continue;
    const dwellMs = dwellOf(fence);
    if (dwellMs !== undefined && update.at - stay.enteredAt >= dwellMs) return false;
  }
  return true;
};

/** A location update, given the ids of the fences containing its point. */
export const locate = (
  prev: DeviceState | undefined,
  update: LocationUpdate,
  inside: ReadonlySet<string> | readonly string[],
  dwellOf: DwellOf,
): Located => {
  if (prev !== undefined && update.at < prev.at) return { next: prev, events: [], stale: true };
  if (prev !== undefined && unchanged(prev, update, inside, dwellOf)) {
    return { next: { device: update.device, lat: update.lat, lng: update.lng, at: update.at, stays: prev.stays }, events: [], stale: false };
  }
  const now: ReadonlySet<string> = inside instanceof Set ? inside : new Set(inside);
  const stays = new Map<string, Stay>();
  const exits: string[] = [];
  const dwells: string[] = [];
  for (const [fence, stay] of prev?.stays ?? []) {
    if (!now.has(fence)) {
      exits.push(fence);
      continue;
    }
    const dwellMs = dwellOf(fence);
    if (!stay.dwelled && dwellMs !== undefined && update.at - stay.enteredAt >= dwellMs) {
      dwells.push(fence);
      stays.set(fence, { enteredAt: stay.enteredAt, dwelled: true });
    } else {
      stays.set(fence, stay);
    }
  }
  const enters: string[] = [];
  for (const fence of now) {
    if (stays.has(fence)) continue;
    enters.push(fence);
    stays.set(fence, { enteredAt: update.at, dwelled: false });
  }
  const next: DeviceState = { device: update.device, lat: update.lat, lng: update.lng, at: update.at, stays };
  return {
    next,
    events: [...eventsOf('exit', exits, update), ...eventsOf('enter', enters, update), ...eventsOf('dwell', dwells, update)],
    stale: false,
  };
};

const withStays = (device: DeviceState, change: (stays: Map<string, Stay>) => void): DeviceState => {
  const stays = new Map(device.stays);
  change(stays);
  return { ...device, stays };
};

const eventAt = (event: FenceEvent['event'], fence: string, device: DeviceState, at: number): FenceEvent =>
  ({ event, fence, device: device.device, lat: device.lat, lng: device.lng, at });

/** A fence created, or replaced under the same id: every device's last position is tested against it. */
export const fenceCreated = (devices: Iterable<DeviceState>, fence: { readonly id: string; readonly shape: Shape }, at: number): Changed => {
  const changed: DeviceState[] = [];
  const events: FenceEvent[] = [];
  for (const device of devices) {
    const inside = contains(fence.shape, device.lat, device.lng);
    if (inside === device.stays.has(fence.id)) continue;
    changed.push(withStays(device, (stays) => (inside ? stays.set(fence.id, { enteredAt: at, dwelled: false }) : stays.delete(fence.id))));
    events.push(eventAt(inside ? 'enter' : 'exit', fence.id, device, at));
  }
  return { devices: changed, events };
};

/** A fence deleted: every device inside it exits. */
export const fenceDeleted = (devices: Iterable<DeviceState>, id: string, at: number): Changed => {
  const changed: DeviceState[] = [];
  const events: FenceEvent[] = [];
  for (const device of devices) {
    if (!device.stays.has(id)) continue;
    changed.push(withStays(device, (stays) => stays.delete(id)));
    events.push(eventAt('exit', id, device, at));
  }
  return { devices: changed, events };
};
