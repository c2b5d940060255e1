import { TestScheduler } from 'rxjs/testing';
import { Observable, mergeMap } from 'rxjs';
import { err } from '../domain/errors';
import { Fence } from '../domain/geo/fence';
import { Geometry, loadGeometry } from '../domain/geo/geos';
import { ClientFrame } from '../domain/protocol';
import { commitStage } from './commit';
import { OPEN } from '../domain/authz';
import { FakeStore, fakeStore } from './testing/fake-store';
import { Conn, Inbound, publish, replyError, send, subscribe, unavailable, unsubscribe } from './effects';
import { ALL_FENCES, GeofenceDeps, StoredDevice, fenceTopic, geofence, ownedFencesTopic } from './geofence';

const ann: Conn = { id: 'a1', user: 'ann', access: OPEN };
const ann2: Conn = { id: 'a2', user: 'ann', access: OPEN };
const bob: Conn = { id: 'b1', user: 'bob', access: OPEN };
const opened = (conn: Conn): Inbound => ({ kind: 'open', conn });
const frame = (conn: Conn, f: ClientFrame): Inbound => ({ kind: 'frame', conn, frame: f });

// A 100 m circle around a point in Paris; `IN` is its centre, `OUT` 1 km north.
const home: Fence = { id: 'home', name: 'Home', shape: { type: 'Circle', center: [2.35, 48.86], radius: 100 }, dwellMs: 1000, owner: 'ops' };
const IN = { lat: 48.86, lng: 2.35 };
const OUT = { lat: 48.869, lng: 2.35 };
const at = (conn: Conn, where: { lat: number; lng: number }, when: number, ref?: number) =>
  frame(conn, ref === undefined ? { type: 'location.update', device: 'phone', ...where, at: when } : { type: 'location.update', ref, device: 'phone', ...where, at: when });

const event = (kind: 'enter' | 'exit' | 'dwell', where: { lat: number; lng: number }, when: number) =>
  ({ type: 'fence.event', event: kind, fence: 'home', device: 'phone', ...where, at: when });
/** What every fence event becomes: a publish to the fence's subscribers, to those of every fence, and to those of its owner's. */
const told = (e: ReturnType<typeof event>) => [publish(fenceTopic('home'), e), publish(ALL_FENCES, e), publish(ownedFencesTopic('ops'), e)];

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

let geometry: Geometry;
beforeAll(async () => {
  geometry = await loadGeometry();
});

const run = (ts: TestScheduler, inbound: Observable<Inbound>, store: FakeStore, deps: Partial<GeofenceDeps> = {}) =>
  geofence(inbound, { fences: [home], devices: [], newId: () => 'new-id', geometry, fencesPerUser: 0, devicesPerUser: 0, ...deps }, ts).pipe(
    commitStage(store.write, { maxSize: 100, maxDelayMs: 0 }, ts),
    mergeMap((effects) => effects),
  );

describe('geofence pipeline', () => {
  it('tells enter and dwell only after the update is committed, to the fence subscribers and the owner', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 2 });
      const inbound = hot('(abc)-d-------e', { a: opened(ann), b: opened(ann2), c: opened(bob), d: at(ann, IN, 1000, 1), e: at(ann, IN, 2000) });
      const enter = event('enter', IN, 1000);
      const dwell = event('dwell', IN, 2000);
      expectObservable(run(ts, inbound, store)).toBe('--------(kpqors)(tuxvw)', {
        k: send('a1', { type: 'location.ack', ref: 1, device: 'phone' }),
        p: told(enter)[0], q: told(enter)[1], o: told(enter)[2], r: send('a1', enter), s: send('a2', enter),
        t: told(dwell)[0], u: told(dwell)[1], x: told(dwell)[2], v: send('a1', dwell), w: send('a2', dwell),
      });
      ts.flush();
      expect(store.writes.map((w) => w.kind === 'location' && [w.at, w.stale, w.events.map((e) => e.event)])).toEqual([[1000, false, ['enter']], [2000, false, ['dwell']]]);
    });
  });

  it('stores a stale update but changes nothing with it', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 0 });
      const inbound = hot('a-b-c-d', { a: opened(bob), b: at(ann, IN, 5000), c: at(ann, OUT, 4000, 2), d: at(ann, IN, 5500, 3) });
      const sends = run(ts, inbound, store).pipe(mergeMap((e) => (e.kind === 'send' ? [e] : [])));
      expectObservable(sends).toBe('----x-y', {
        x: send('a1', { type: 'location.ack', ref: 2, device: 'phone' }),
        y: send('a1', { type: 'location.ack', ref: 3, device: 'phone' }),
      });
      ts.flush();
      expect(store.writes.map((w) => w.kind === 'location' && [w.at, w.stale, w.events.length])).toEqual([[5000, false, 1], [4000, true, 0], [5500, false, 0]]);
    });
  });

  it('re-evaluates devices when a fence is created, replaced or deleted, at the server time', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 0 });
      const phone: StoredDevice = { owner: 'ann', state: { device: 'phone', ...IN, at: 1, stays: new Map([['home', { enteredAt: 1, dwelled: false }]]) } };
      const big = { type: 'Circle', center: [2.35, 48.86], radius: 5000 };
      const inbound = hot('(ab)-c-d-e', {
        a: opened(bob), b: frame(bob, { type: 'fence.subscribe', ref: 1, fences: '*' }),
        c: frame(bob, { type: 'fence.create', ref: 2, fence: { id: 'zone', name: 'Zone', shape: big } }),
        d: frame(bob, { type: 'fence.create', ref: 3, fence: { id: 'zone', name: 'Zone', shape: { ...big, center: [3.35, 48.86] } } }),
        e: frame(bob, { type: 'fence.delete', ref: 4, id: 'home' }),
      });
      const zone = (kind: 'enter' | 'exit', when: number) => ({ type: 'fence.event', event: kind, fence: 'zone', device: 'phone', ...IN, at: when });
      const homeExit = event('exit', IN, 9);
      expectObservable(run(ts, inbound, store, { devices: [phone] }).pipe(mergeMap((e) => (e.kind === 'publish' && e.topic === ALL_FENCES ? [e] : [])))).toBe('-----x-y-z', {
        x: publish(ALL_FENCES, zone('enter', 5)),
        y: publish(ALL_FENCES, zone('exit', 7)),
        z: publish(ALL_FENCES, homeExit),
      });
    });
  });

  it('refuses an invalid shape, an unknown fence and an unknown subscription, storing nothing', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts);
      const bowtie = { type: 'Polygon', coordinates: [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]] };
      const inbound = hot('a-b-c-d', {
        a: opened(bob),
        b: frame(bob, { type: 'fence.create', ref: 1, fence: { name: 'x', shape: bowtie } }),
        c: frame(bob, { type: 'fence.delete', ref: 2, id: 'nope' }),
        d: frame(bob, { type: 'fence.subscribe', ref: 3, fences: ['home', 'nope'] }),
      });
      expectObservable(run(ts, inbound, store)).toBe('--x-y-z', {
        x: replyError('b1', err('bad_request', 'the outer ring is not valid: self-intersection at or near [0.5, 0.5]', 'fence.shape.coordinates.0'), 1),
        y: replyError('b1', err('not_found', 'no fence nope', 'id'), 2),
        z: replyError('b1', err('not_found', 'no fence nope', 'fences.1'), 3),
      });
      ts.flush();
      expect(store.writes).toEqual([]);
    });
  });

  it('creates a repaired MultiPolygon when asked to repair, and tells its devices about it as one fence', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 0 });
      // A bow-tie around IN: even-odd, two triangles meeting at IN.
      const d = 0.001;
      const bowtie = { type: 'Polygon', coordinates: [[[2.35 - d, 48.86 - d], [2.35 + d, 48.86 + d], [2.35 + d, 48.86 - d], [2.35 - d, 48.86 + d], [2.35 - d, 48.86 - d]]] };
      const phone: StoredDevice = { owner: 'ann', state: { device: 'phone', lat: 48.86, lng: 2.35 + d / 2, at: 1, stays: new Map() } };
      const inbound = hot('a-b', { a: opened(bob), b: frame(bob, { type: 'fence.create', ref: 1, fence: { id: 'tie', name: 'Tie', shape: bowtie, repair: true } }) });
      const out = run(ts, inbound, store, { devices: [phone] }).pipe(mergeMap((e) => (e.kind === 'send' && e.frame.type === 'fence.created' ? [e.frame] : e.kind === 'publish' && e.topic === ALL_FENCES ? [e.frame] : [])));
      expectObservable(out).toBe('--(cE)', {
        c: { type: 'fence.created', ref: 1, fence: { id: 'tie', name: 'Tie', owner: 'bob', shape: expect.objectContaining({ type: 'MultiPolygon' }) } },
        E: { type: 'fence.event', event: 'enter', fence: 'tie', device: 'phone', lat: 48.86, lng: 2.35 + d / 2, at: 2 },
      });
      ts.flush();
      const stored = store.writes.find((w) => w.kind === 'fence');
      expect(stored?.kind === 'fence' && stored.fence.shape.type).toBe('MultiPolygon');
    });
  });

  it('answers unavailable when the commit fails, and forgets the transition it made', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { failing: new Set([1]) });
      const inbound = hot('(ab)-c--d', { a: opened(ann), b: frame(ann, { type: 'fence.subscribe', ref: 1, fences: ['home'] }), c: at(ann, IN, 10, 2), d: at(ann, IN, 20, 3) });
      const enter = event('enter', IN, 20);
      expectObservable(run(ts, inbound, store)).toBe('(sS)--e--(kpqo)', {
        s: subscribe('a1', fenceTopic('home')),
        S: send('a1', { type: 'fence.subscribed', fences: ['home'], ref: 1 }),
        e: replyError('a1', unavailable, 2),
        k: send('a1', { type: 'location.ack', ref: 3, device: 'phone' }),
        p: told(enter)[0], q: told(enter)[1], o: told(enter)[2],
      });
    });
  });

  it('keeps one subscription per socket, so an event never comes twice', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts);
      const sub = (ref: number, fences: '*' | string[]) => frame(bob, { type: 'fence.subscribe', ref, fences });
      const unsub = (ref: number, fences: '*' | string[]) => frame(bob, { type: 'fence.unsubscribe', ref, fences });
      const inbound = hot('a-b-c-d-e', { a: opened(bob), b: sub(1, ['home']), c: sub(2, '*'), d: sub(3, ['home']), e: unsub(4, '*') });
      const topics = run(ts, inbound, store).pipe(mergeMap((e) => (e.kind === 'subscribe' || e.kind === 'unsubscribe' ? [e] : [])));
      expectObservable(topics).toBe('--a-(bc)(de)', {
        a: subscribe('b1', fenceTopic('home')),
        b: unsubscribe('b1', fenceTopic('home')),
        c: subscribe('b1', ALL_FENCES),
        d: unsubscribe('b1', ALL_FENCES),
        e: subscribe('b1', fenceTopic('home')),
      });
    });
  });

  it('starts from the stored devices: a device already inside does not enter again', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 0 });
      const phone: StoredDevice = { owner: 'ann', state: { device: 'phone', ...IN, at: 1, stays: new Map([['home', { enteredAt: 1, dwelled: false }]]) } };
      const inbound = hot('a-b-c', { a: opened(ann), b: at(ann, IN, 500), c: at(ann, OUT, 2000) });
      const events = run(ts, inbound, store, { devices: [phone] }).pipe(mergeMap((e) => (e.kind === 'send' ? [e.frame] : [])));
      // No enter at 500 (the stay goes on, and is too short to dwell); the exit at 2000.
      expectObservable(events).toBe('----x', { x: event('exit', OUT, 2000) });
    });
  });
});

describe('geofence pipeline: owners, authorization and limits', () => {
  const token = (claims: object) => ({ kind: 'token', claims }) as const;
  const ops: Conn = { id: 'o1', user: 'ops', access: token({}) };
  const eve: Conn = { id: 'e1', user: 'eve', access: token({}) };
  const root: Conn = { id: 'x1', user: 'root', access: token({ admin: true }) };
  const replies = (ts: TestScheduler, inbound: Observable<Inbound>, store: FakeStore, deps: Partial<GeofenceDeps> = {}) =>
    run(ts, inbound, store, deps).pipe(
      mergeMap((e) => (e.kind === 'send' && e.frame.type !== 'fence.event' ? [e.frame.type === 'error' ? `${e.frame.code} ${e.frame.path}` : `${e.frame.type}`] : [])),
    );

  it('lets only the owner (or an admin) delete, replace or subscribe to a fence by id, and stores nothing refused', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 1 });
      const inbound = hot('(abc)-d-e-f-g-h', {
        a: opened(ops), b: opened(eve), c: opened(root),
        d: frame(eve, { type: 'fence.delete', ref: 1, id: 'home' }),
        e: frame(eve, { type: 'fence.create', ref: 2, fence: { id: 'home', name: 'Mine', shape: home.shape } }),
        f: frame(eve, { type: 'fence.subscribe', ref: 3, fences: ['home'] }),
        g: frame(ops, { type: 'fence.subscribe', ref: 4, fences: ['home'] }),
        h: frame(root, { type: 'fence.delete', ref: 5, id: 'home' }),
      });
      expectObservable(replies(ts, inbound, store)).toBe('------d-e-f-g--h', {
        d: 'forbidden id', e: 'forbidden fence.id', f: 'forbidden fences.0', g: 'fence.subscribed', h: 'fence.deleted',
      });
      ts.flush();
      expect(store.writes.map((w) => w.kind)).toEqual(['fenceDelete']);
    });
  });

  it('gives "*" the owner\'s fences to a user and every fence to an admin; lists likewise', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts);
      const inbound = hot('(abc)-(de)', { a: opened(ops), b: opened(root), c: opened(eve), d: frame(eve, { type: 'fence.subscribe', ref: 1, fences: '*' }), e: frame(root, { type: 'fence.subscribe', ref: 2, fences: '*' }) });
      const topics = run(ts, inbound, store).pipe(mergeMap((e) => (e.kind === 'subscribe' ? [`${e.conn} ${e.topic}`] : [])));
      expectObservable(topics).toBe('------(de)', { d: 'e1 fences:of:eve', e: 'x1 fences:*' });
    });
    const lists = newScheduler();
    lists.run(({ hot, expectObservable }) => {
      const inbound = hot('(ab)-c-d', { a: opened(eve), b: opened(root), c: frame(eve, { type: 'fence.list', ref: 1 }), d: frame(root, { type: 'fence.list', ref: 2 }) });
      const listed = run(lists, inbound, fakeStore(lists)).pipe(mergeMap((e) => (e.kind === 'send' ? [(e.frame.fences as { id: string }[]).map((f) => f.id).join(',')] : [])));
      expectObservable(listed).toBe('-----c-d', { c: '', d: 'home' });
    });
  });

  it('makes the first reporter a device\'s owner and refuses another user\'s update without changing its state', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 1 });
      const inbound = hot('(ab)-c-d-e', { a: opened(ops), b: opened(eve), c: at(ops, IN, 10, 1), d: at(eve, OUT, 20, 2), e: at(ops, IN, 30, 3) });
      expectObservable(replies(ts, inbound, store)).toBe('------af--b', { a: 'location.ack', f: 'forbidden device', b: 'location.ack' });
      ts.flush();
      const located = store.writes.flatMap((w) => (w.kind === 'location' ? [[w.user, w.state?.owner, w.events.map((e) => e.event).join()]] : []));
      // The second update from ops finds the phone still inside: no event.
      expect(located).toEqual([['ops', 'ops', 'enter'], ['ops', 'ops', '']]);
    });
  });

  it('counts fences and devices per user', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 1 });
      const circle = { type: 'Circle', center: [0, 0], radius: 10 };
      const inbound = hot('a-b-c-d-e', {
        a: opened(eve),
        b: frame(eve, { type: 'fence.create', ref: 1, fence: { id: 'f1', name: 'one', shape: circle } }),
        c: frame(eve, { type: 'fence.create', ref: 2, fence: { id: 'f2', name: 'two', shape: circle } }),
        d: frame(eve, { type: 'location.update', ref: 3, device: 'd1', lat: 1, lng: 1 }),
        e: frame(eve, { type: 'location.update', ref: 4, device: 'd2', lat: 1, lng: 1 }),
      });
      expectObservable(replies(ts, inbound, store, { fencesPerUser: 1, devicesPerUser: 1 })).toBe('---xq--yr', {
        x: 'fence.created', q: 'quota_exceeded fence', y: 'location.ack', r: 'quota_exceeded device',
      });
    });
  });
});
