// Geofences in order: a location update is looked up in the H3 index, the exact test
// settles boundary cells, the transition rules give enter / exit / dwell, and the
// update and its events are committed before anyone hears of them. Fence creates and
// deletes re-evaluate every device's last position the same way.
import { Observable, ObservableInput, SchedulerLike, asyncScheduler, defer, filter, mergeMap } from 'rxjs';
import { isLeft } from 'fp-ts/Either';
import { err } from '../domain/errors';
import { FenceIndex } from '../domain/geo';
import { Fence } from '../domain/geo/fence';
import type { Geometry } from '../domain/geo/geos';
import { admitShape } from '../domain/geo/validity';
import { DeviceState, FenceEvent, fenceCreated, fenceDeleted, locate } from '../domain/geo/transitions';
import { FrameOf } from '../domain/protocol';
import { Write } from '../domain/writes';
import { Conn, Effect, Inbound, Out, guarded, pending, publish, replyError, send, subscribe, unsubscribe, withRef } from './effects';

/** A device as stored: its last position taken, its stays, and whose device it is. */
export interface StoredDevice {
  readonly state: DeviceState;
  readonly user: string;
}

export interface GeofenceDeps {
  readonly fences: readonly Fence[];
  readonly devices: readonly StoredDevice[];
  readonly newId: () => string;
  /** GEOS, loaded: validity and repair of fence shapes. */
  readonly geometry: Geometry;
}

/** Subscribers of one fence; subscribers of every fence ("*") are on ALL_FENCES instead. */
export const fenceTopic = (fence: string) => `fence:${fence}`;
export const ALL_FENCES = 'fences:*';

/** What a socket asked to hear: every fence, or some; only one of the two is subscribed in uWS. */
interface Listener {
  all: boolean;
  readonly fences: Set<string>;
}

const eventFrame = (e: FenceEvent) => ({ type: 'fence.event', event: e.event, fence: e.fence, device: e.device, lat: e.lat, lng: e.lng, at: e.at });
const fenceView = (f: Fence) => (f.dwellMs === undefined ? { id: f.id, name: f.name, shape: f.shape } : { id: f.id, name: f.name, shape: f.shape, dwellMs: f.dwellMs });

export const geofence = (inbound$: Observable<Inbound>, deps: GeofenceDeps, scheduler: SchedulerLike = asyncScheduler): Observable<Out> =>
  defer(() => {
    const index = new FenceIndex();
    const fences = new Map<string, Fence>();
    /** The devices as they are in memory, and as they were last committed. */
    const devices = new Map<string, DeviceState>();
    const stored = new Map<string, DeviceState>();
    const owners = new Map<string, string>();
    const listeners = new Map<string, Listener>();
    // Most users have one socket: an array is a fraction of a Set's memory, for every socket of the cluster.
    const socketsOf = new Map<string, string[]>();
    // Fence creates and deletes, in memory ahead of the store: what to put back if their commit fails.
    const storedFences = new Map<string, Fence>();

    for (const f of deps.fences) {
      fences.set(f.id, f);
      storedFences.set(f.id, f);
      index.add(f);
    }
    for (const d of deps.devices) {
      devices.set(d.state.device, d.state);
      stored.set(d.state.device, d.state);
      owners.set(d.state.device, d.user);
    }

    const dwellOf = (fence: string) => fences.get(fence)?.dwellMs;

    // To the fence's subscribers, and to the sockets of the device's user that do not already hear the fence.
    const tell = (events: readonly FenceEvent[]): Effect[] => {
      const effects: Effect[] = [];
      for (const e of events) {
        const frame = eventFrame(e);
        effects.push(publish(fenceTopic(e.fence), frame), publish(ALL_FENCES, frame));
        const owner = owners.get(e.device);
        for (const conn of (owner === undefined ? undefined : socketsOf.get(owner)) ?? []) {
          const l = listeners.get(conn);
          if (!(l?.all || l?.fences.has(e.fence))) effects.push(send(conn, frame));
        }
      }
      return effects;
    };

    /** Devices changed in memory now; on a failed commit they go back to what was stored. */
    const changedDevices = (changed: readonly DeviceState[]) => {
      for (const d of changed) devices.set(d.device, d);
      return (ok: boolean) => {
        for (const d of changed) {
          if (ok) stored.set(d.device, d);
          else {
            const was = stored.get(d.device);
            if (was === undefined) devices.delete(d.device);
            else devices.set(d.device, was);
          }
        }
      };
    };

    const locationUpdate = (conn: Conn, f: FrameOf<'location.update'>): Out[] => {
      const at = f.at ?? scheduler.now();
      const prev = devices.get(f.device);
      const update = { device: f.device, lat: f.lat, lng: f.lng, at };
      const stale = prev !== undefined && at < prev.at;
      const located = stale ? undefined : locate(prev, update, index.containing(f.lat, f.lng), dwellOf);
      if (!stale) owners.set(f.device, conn.user);
      const restore = changedDevices(located === undefined ? [] : [located.next]);
      const events = located?.events ?? [];
      const location: Write = { kind: 'location', device: f.device, user: conn.user, lat: f.lat, lng: f.lng, at, accuracy: f.accuracy, stale, events };
      return [pending(location, (r) => {
        if (isLeft(r)) {
          restore(false);
          return [replyError(conn.id, r.left, f.ref)];
        }
        restore(true);
        const ack = f.ref === undefined ? [] : [send(conn.id, { type: 'location.ack', ref: f.ref, device: f.device })];
        return [...ack, ...tell(events)];
      })];
    };

    const fenceCreate = (conn: Conn, f: FrameOf<'fence.create'>): Out[] => {
      // With repair, the fence holds (and fence.created shows) the repaired shape.
      const admitted = admitShape(f.fence.shape, 'fence.shape', deps.geometry, f.fence.repair);
      if (isLeft(admitted)) return [replyError(conn.id, admitted.left, f.ref)];
      const fence: Fence = { id: f.fence.id ?? deps.newId(), name: f.fence.name, shape: admitted.right.shape, ...(f.fence.dwellMs === undefined ? {} : { dwellMs: f.fence.dwellMs }) };
      const now = scheduler.now();
      const { devices: changed, events } = fenceCreated(devices.values(), fence, now);
      fences.set(fence.id, fence);
      index.add(fence);
      const restore = changedDevices(changed);
      return [pending({ kind: 'fence', fence, at: now, events }, (r) => {
        if (isLeft(r)) {
          restore(false);
          putBack(fence.id);
          return [replyError(conn.id, r.left, f.ref)];
        }
        restore(true);
        storedFences.set(fence.id, fence);
        return [send(conn.id, withRef({ type: 'fence.created', fence: fenceView(fence) }, f.ref)), ...tell(events)];
      })];
    };

    const fenceDelete = (conn: Conn, f: FrameOf<'fence.delete'>): Out[] => {
      if (!fences.has(f.id)) return [replyError(conn.id, err('not_found', `no fence ${f.id}`, 'id'), f.ref)];
      const { devices: changed, events } = fenceDeleted(devices.values(), f.id, scheduler.now());
      fences.delete(f.id);
      index.remove(f.id);
      const restore = changedDevices(changed);
      return [pending({ kind: 'fenceDelete', id: f.id, events }, (r) => {
        if (isLeft(r)) {
          restore(false);
          putBack(f.id);
          return [replyError(conn.id, r.left, f.ref)];
        }
        restore(true);
        storedFences.delete(f.id);
        return [send(conn.id, withRef({ type: 'fence.deleted', id: f.id }, f.ref)), ...tell(events)];
      })];
    };

    /** A fence's create or delete failed to commit: it is as last stored. */
    const putBack = (id: string) => {
      const was = storedFences.get(id);
      if (was === undefined) {
        fences.delete(id);
        index.remove(id);
      } else {
        fences.set(id, was);
        index.add(was);
      }
    };

    const listenerOf = (conn: string): Listener => {
      let l = listeners.get(conn);
      if (l === undefined) listeners.set(conn, (l = { all: false, fences: new Set() }));
      return l;
    };

    const fenceSubscribe = (conn: Conn, f: FrameOf<'fence.subscribe'>): Effect[] => {
      const unknown = f.fences === '*' ? -1 : f.fences.findIndex((id) => !fences.has(id));
      if (unknown >= 0) return [replyError(conn.id, err('not_found', `no fence ${f.fences[unknown]}`, `fences.${unknown}`), f.ref)];
      const l = listenerOf(conn.id);
      const effects: Effect[] = [];
      if (f.fences === '*') {
        if (!l.all) {
          // One subscription at a time per socket, so no event comes twice.
          for (const id of l.fences) effects.push(unsubscribe(conn.id, fenceTopic(id)));
          effects.push(subscribe(conn.id, ALL_FENCES));
          l.all = true;
        }
      } else {
        for (const id of f.fences) {
          if (!l.all && !l.fences.has(id)) effects.push(subscribe(conn.id, fenceTopic(id)));
          l.fences.add(id);
        }
      }
      effects.push(send(conn.id, withRef({ type: 'fence.subscribed', fences: f.fences }, f.ref)));
      return effects;
    };

    const fenceUnsubscribe = (conn: Conn, f: FrameOf<'fence.unsubscribe'>): Effect[] => {
      const l = listenerOf(conn.id);
      const effects: Effect[] = [];
      if (f.fences === '*') {
        if (l.all) {
          effects.push(unsubscribe(conn.id, ALL_FENCES));
          for (const id of l.fences) effects.push(subscribe(conn.id, fenceTopic(id)));
          l.all = false;
        }
      } else {
        for (const id of f.fences) {
          if (!l.all && l.fences.has(id)) effects.push(unsubscribe(conn.id, fenceTopic(id)));
          l.fences.delete(id);
        }
      }
      effects.push(send(conn.id, withRef({ type: 'fence.unsubscribed', fences: f.fences }, f.ref)));
      return effects;
    };

    const handle = (event: Inbound): ObservableInput<Out> => {
      const { conn } = event;
      if (event.kind === 'open') {
        const mine = socketsOf.get(conn.user);
        if (mine === undefined) socketsOf.set(conn.user, [conn.id]);
        else if (!mine.includes(conn.id)) mine.push(conn.id);
        return [];
      }
      if (event.kind === 'close') {
        const left = socketsOf.get(conn.user)?.filter((c) => c !== conn.id);
        if (left === undefined || left.length === 0) socketsOf.delete(conn.user);
        else socketsOf.set(conn.user, left);
        listeners.delete(conn.id);
        return [];
      }
      const f = event.frame;
      switch (f.type) {
        case 'location.update':
          return locationUpdate(conn, f);
        case 'fence.create':
          return fenceCreate(conn, f);
        case 'fence.delete':
          return fenceDelete(conn, f);
        case 'fence.list':
          return [send(conn.id, withRef({ type: 'fence.list', fences: [...fences.values()].map(fenceView) }, f.ref))];
        case 'fence.subscribe':
          return fenceSubscribe(conn, f);
        case 'fence.unsubscribe':
          return fenceUnsubscribe(conn, f);
        default:
          return [];
      }
    };

    return inbound$.pipe(filter(isGeo), mergeMap(guarded(handle)));
  });

/** Socket lifecycle and fence and location frames: the rest is for other pipelines. */
const isGeo = (e: Inbound): boolean => e.kind !== 'frame' || e.frame.type.startsWith('fence.') || e.frame.type.startsWith('location.');
