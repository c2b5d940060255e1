// Geofences in order: a location update is looked up in the H3 index, the exact test
// settles boundary cells, the transition rules give enter / exit / dwell, and the
// update and its events are committed before anyone hears of them. Fence creates and
// deletes re-evaluate every device's last position the same way.
import { Observable, ObservableInput, SchedulerLike, asyncScheduler, defer, mergeMap } from 'rxjs';
import { isLeft } from 'fp-ts/Either';
import { err } from '../domain/errors';
import { FenceIndex } from '../domain/geo';
import { Fence } from '../domain/geo/fence';
import type { Geometry } from '../domain/geo/geos';
import { admitShape } from '../domain/geo/validity';
import { DeviceState, FenceEvent, fenceCreated, fenceDeleted, locate } from '../domain/geo/transitions';
import { FrameOf } from '../domain/protocol';
import { DeviceWrite, Write } from '../domain/writes';
import { isAdmin } from '../domain/authz';
import { quotaExceeded, roomFor } from '../domain/limits';
import { Owners } from '../domain/geo/owners';
import { Conn, Effect, Inbound, Out, forbidden, guarded, pending, publish, replyError, send, subscribe, unsubscribe, withRef } from './effects';

/** A device as stored: its last position taken, its stays, and whose device it is. */
export interface StoredDevice {
  readonly state: DeviceState;
  readonly owner: string;
}

export interface GeofenceDeps {
  readonly fences: readonly Fence[];
  readonly devices: readonly StoredDevice[];
  readonly newId: () => string;
  /** GEOS, loaded: validity and repair of fence shapes. */
  readonly geometry: Geometry;
  /** Fences and devices one user may own; 0: no limit. */
  readonly fencesPerUser: number;
  readonly devicesPerUser: number;
}

/**
 * Subscribers of one fence; of every fence (an admin's "*"); of every fence of one owner
 * (a user's "*", now and later). A fence's events are published on all three.
 */
export const fenceTopic = (fence: string) => `fence:${fence}`;
export const ALL_FENCES = 'fences:*';
export const ownedFencesTopic = (owner: string) => `fences:of:${owner}`;

/** What a socket asked to hear: "*" (the topic it stands for), or some fences; only one of the two is subscribed in uWS. */
interface Listener {
  all: string | undefined;
  readonly fences: Set<string>;
}

const hears = (l: Listener | undefined, fence: Fence | undefined, id: string): boolean =>
  l !== undefined && (l.fences.has(id) || l.all === ALL_FENCES || (l.all !== undefined && fence?.owner != null && l.all === ownedFencesTopic(fence.owner)));

const eventFrame = (e: FenceEvent) => ({ type: 'fence.event', event: e.event, fence: e.fence, device: e.device, lat: e.lat, lng: e.lng, at: e.at });
const fenceView = (f: Fence) =>
  f.dwellMs === undefined ? { id: f.id, name: f.name, shape: f.shape, owner: f.owner } : { id: f.id, name: f.name, shape: f.shape, dwellMs: f.dwellMs, owner: f.owner };

export const geofence = (inbound$: Observable<Inbound>, deps: GeofenceDeps, scheduler: SchedulerLike = asyncScheduler): Observable<Out> =>
  defer(() => {
    const index = new FenceIndex();
    const fences = new Map<string, Fence>();
    /** The devices as they are in memory, and as they were last committed. */
    const devices = new Map<string, DeviceState>();
    const stored = new Map<string, DeviceState>();
    const owners = new Owners();
    const fenceCounts = new Owners();
    const listeners = new Map<string, Listener>();
    // Most users have one socket: an array is a fraction of a Set's memory, for every socket of the cluster.
    const socketsOf = new Map<string, string[]>();
    // Fence creates and deletes, in memory ahead of the store: what to put back if their commit fails.
    const storedFences = new Map<string, Fence>();

    const placeFence = (f: Fence) => {
      fences.set(f.id, f);
      index.add(f);
      if (f.owner === null) fenceCounts.delete(f.id);
      else fenceCounts.set(f.id, f.owner);
    };
    const dropFence = (id: string) => {
      fences.delete(id);
      index.remove(id);
      fenceCounts.delete(id);
    };
    for (const f of deps.fences) {
      placeFence(f);
      storedFences.set(f.id, f);
    }
    for (const d of deps.devices) {
      devices.set(d.state.device, d.state);
      stored.set(d.state.device, d.state);
      owners.set(d.state.device, d.owner);
    }

    const dwellOf = (fence: string) => fences.get(fence)?.dwellMs;

    // To the fence's subscribers (by id, "*" of admins, "*" of its owner), and to the
    // sockets of the device's owner that do not already hear the fence. `gone` is a
    // fence deleted in this change, no longer in `fences`.
    const tell = (events: readonly FenceEvent[], gone?: Fence): Effect[] => {
      const effects: Effect[] = [];
      for (const e of events) {
        const frame = eventFrame(e);
        const fence = fences.get(e.fence) ?? (gone?.id === e.fence ? gone : undefined);
        effects.push(publish(fenceTopic(e.fence), frame), publish(ALL_FENCES, frame));
        if (fence?.owner != null) effects.push(publish(ownedFencesTopic(fence.owner), frame));
        const owner = owners.get(e.device);
        for (const conn of (owner === undefined ? undefined : socketsOf.get(owner)) ?? []) {
          if (!hears(listeners.get(conn), fence, e.fence)) effects.push(send(conn, frame));
        }
      }
      return effects;
    };

    const deviceWrites = (changed: readonly DeviceState[]): DeviceWrite[] =>
      changed.map((state) => ({ owner: owners.get(state.device) as string, state, stays: true }));

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
      const owner = owners.get(f.device);
      const refused = forbidden(conn, { on: 'device', device: f.device, owner }, 'device');
      if (refused !== undefined) return [replyError(conn.id, refused, f.ref)];
      if (owner === undefined && !roomFor(deps.devicesPerUser, owners.countOf(conn.user))) {
        return [replyError(conn.id, quotaExceeded('devices owned by one user', deps.devicesPerUser, 'device'), f.ref)];
      }
      // The first user to report a device owns it, from now on.
      if (owner === undefined) owners.set(f.device, conn.user);
      const at = f.at ?? scheduler.now();
      const prev = devices.get(f.device);
      const update = { device: f.device, lat: f.lat, lng: f.lng, at };
      const stale = prev !== undefined && at < prev.at;
      const located = stale ? undefined : locate(prev, update, index.containing(f.lat, f.lng), dwellOf);
      const restore = changedDevices(located === undefined ? [] : [located.next]);
      const events = located?.events ?? [];
      const state: DeviceWrite | undefined =
        located === undefined ? undefined : { owner: owner ?? conn.user, state: located.next, stays: located.next.stays !== prev?.stays };
      const location: Write = { kind: 'location', device: f.device, user: conn.user, state, lat: f.lat, lng: f.lng, at, accuracy: f.accuracy, stale, events };
      return [pending(location, (r) => {
        if (isLeft(r)) {
          restore(false);
          if (owner === undefined) owners.delete(f.device);
          return [replyError(conn.id, r.left, f.ref)];
        }
        restore(true);
        const ack = f.ref === undefined ? [] : [send(conn.id, { type: 'location.ack', ref: f.ref, device: f.device })];
        return [...ack, ...tell(events)];
      })];
    };

    const fenceCreate = (conn: Conn, f: FrameOf<'fence.create'>): Out[] => {
      const existing = f.fence.id === undefined ? undefined : fences.get(f.fence.id);
      const refused = forbidden(conn, { on: 'fence', fence: f.fence.id ?? '', owner: existing?.owner }, 'fence.id');
      if (refused !== undefined) return [replyError(conn.id, refused, f.ref)];
      if (existing === undefined && !roomFor(deps.fencesPerUser, fenceCounts.countOf(conn.user))) {
        return [replyError(conn.id, quotaExceeded('fences owned by one user', deps.fencesPerUser, 'fence'), f.ref)];
      }
      // With repair, the fence holds (and fence.created shows) the repaired shape.
      const admitted = admitShape(f.fence.shape, 'fence.shape', deps.geometry, f.fence.repair);
      if (isLeft(admitted)) return [replyError(conn.id, admitted.left, f.ref)];
      // A replaced fence keeps its owner, whoever replaces it.
      const owner = existing === undefined ? conn.user : existing.owner;
      const fence: Fence = { id: f.fence.id ?? deps.newId(), name: f.fence.name, shape: admitted.right.shape, ...(f.fence.dwellMs === undefined ? {} : { dwellMs: f.fence.dwellMs }), owner };
      const now = scheduler.now();
      const { devices: changed, events } = fenceCreated(devices.values(), fence, now);
      placeFence(fence);
      const restore = changedDevices(changed);
      return [pending({ kind: 'fence', fence, at: now, events, devices: deviceWrites(changed) }, (r) => {
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
      const fence = fences.get(f.id);
      if (fence === undefined) return [replyError(conn.id, err('not_found', `no fence ${f.id}`, 'id'), f.ref)];
      const refused = forbidden(conn, { on: 'fence', fence: f.id, owner: fence.owner }, 'id');
      if (refused !== undefined) return [replyError(conn.id, refused, f.ref)];
      const { devices: changed, events } = fenceDeleted(devices.values(), f.id, scheduler.now());
      dropFence(f.id);
      const restore = changedDevices(changed);
      return [pending({ kind: 'fenceDelete', id: f.id, events, devices: deviceWrites(changed) }, (r) => {
        if (isLeft(r)) {
          restore(false);
          putBack(f.id);
          return [replyError(conn.id, r.left, f.ref)];
        }
        restore(true);
        storedFences.delete(f.id);
        return [send(conn.id, withRef({ type: 'fence.deleted', id: f.id }, f.ref)), ...tell(events, fence)];
      })];
    };

    /** A fence's create or delete failed to commit: it is as last stored. */
    const putBack = (id: string) => {
      const was = storedFences.get(id);
      if (was === undefined) dropFence(id);
      else placeFence(was);
    };

    const listenerOf = (conn: string): Listener => {
      let l = listeners.get(conn);
      if (l === undefined) listeners.set(conn, (l = { all: undefined, fences: new Set() }));
      return l;
    };

    /** The first of `ids` the socket may not subscribe to: unknown, or someone else's. */
    const refusedSubscription = (conn: Conn, ids: readonly string[]) => {
      for (let i = 0; i < ids.length; i++) {
        const fence = fences.get(ids[i]);
        if (fence === undefined) return err('not_found', `no fence ${ids[i]}`, `fences.${i}`);
        const refused = forbidden(conn, { on: 'fence', fence: ids[i], owner: fence.owner }, `fences.${i}`);
        if (refused !== undefined) return refused;
      }
      return undefined;
    };

    /** What "*" means for this socket: every fence for an admin, its user's own for anyone else. */
    const allTopic = (conn: Conn) => (isAdmin(conn.access) ? ALL_FENCES : ownedFencesTopic(conn.user));

    const subscribeAll = (conn: Conn, l: Listener): Effect[] => {
      const topic = allTopic(conn);
      if (l.all === topic) return [];
      // One subscription at a time per socket, so no event comes twice.
      const effects = l.all === undefined ? [...l.fences].map((id) => unsubscribe(conn.id, fenceTopic(id))) : [unsubscribe(conn.id, l.all)];
      effects.push(subscribe(conn.id, topic));
      l.all = topic;
      return effects;
    };

    const unsubscribeAll = (conn: Conn, l: Listener): Effect[] => {
      if (l.all === undefined) return [];
      const effects = [unsubscribe(conn.id, l.all), ...[...l.fences].map((id) => subscribe(conn.id, fenceTopic(id)))];
      l.all = undefined;
      return effects;
    };

    const fenceSubscribe = (conn: Conn, f: FrameOf<'fence.subscribe'>): Effect[] => {
      const refused = f.fences === '*' ? undefined : refusedSubscription(conn, f.fences);
      if (refused !== undefined) return [replyError(conn.id, refused, f.ref)];
      const l = listenerOf(conn.id);
      const effects: Effect[] = [];
      if (f.fences === '*') effects.push(...subscribeAll(conn, l));
      else {
        for (const id of f.fences) {
          if (l.all === undefined && !l.fences.has(id)) effects.push(subscribe(conn.id, fenceTopic(id)));
          l.fences.add(id);
        }
      }
      effects.push(send(conn.id, withRef({ type: 'fence.subscribed', fences: f.fences }, f.ref)));
      return effects;
    };

    const fenceUnsubscribe = (conn: Conn, f: FrameOf<'fence.unsubscribe'>): Effect[] => {
      const l = listenerOf(conn.id);
      const effects: Effect[] = [];
      if (f.fences === '*') effects.push(...unsubscribeAll(conn, l));
      else {
        for (const id of f.fences) {
          if (l.all === undefined && l.fences.has(id)) effects.push(unsubscribe(conn.id, fenceTopic(id)));
          l.fences.delete(id);
        }
      }
      effects.push(send(conn.id, withRef({ type: 'fence.unsubscribed', fences: f.fences }, f.ref)));
      return effects;
    };

    // A refreshed token: "*" may now mean something else, and fences it no longer
    // allows are unsubscribed (the socket is told which).
    const revoke = (conn: Conn): Effect[] => {
      const l = listeners.get(conn.id);
      if (l === undefined) return [];
      const effects: Effect[] = [];
      if (l.all !== undefined && l.all !== allTopic(conn)) {
        effects.push(unsubscribe(conn.id, l.all), subscribe(conn.id, allTopic(conn)));
        l.all = allTopic(conn);
      }
      const lost = [...l.fences].filter((id) => refusedSubscription(conn, [id]) !== undefined);
      for (const id of lost) {
        l.fences.delete(id);
        if (l.all === undefined) effects.push(unsubscribe(conn.id, fenceTopic(id)));
      }
      if (lost.length > 0) effects.push(send(conn.id, { type: 'fence.unsubscribed', fences: lost }));
      return effects;
    };

    const fenceList = (conn: Conn, f: FrameOf<'fence.list'>): Effect[] => {
      const all = isAdmin(conn.access);
      const mine = [...fences.values()].filter((fence) => all || fence.owner === conn.user);
      return [send(conn.id, withRef({ type: 'fence.list', fences: mine.map(fenceView) }, f.ref))];
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
      if (event.kind === 'access') return revoke(conn);
      const f = event.frame;
      switch (f.type) {
        case 'location.update':
          return locationUpdate(conn, f);
        case 'fence.create':
          return fenceCreate(conn, f);
        case 'fence.delete':
          return fenceDelete(conn, f);
        case 'fence.list':
          return fenceList(conn, f);
        case 'fence.subscribe':
          return fenceSubscribe(conn, f);
        case 'fence.unsubscribe':
          return fenceUnsubscribe(conn, f);
        default:
          return [];
      }
    };

    return inbound$.pipe(mergeMap(guarded(handle)));
  });
