// Geofences over the real server: real uWS, a real SQLite file or Postgres database, `ws` clients.
import { Client, Frame, Server, startServer } from './support/server';
import { STORES } from './support/stores';

jest.setTimeout(60_000);

// A square block in Paris with a square hole, and a 50 m circle beside it.
const block = {
  type: 'Polygon',
  coordinates: [
    [[2.35, 48.86], [2.36, 48.86], [2.36, 48.87], [2.35, 48.87], [2.35, 48.86]],
    [[2.354, 48.864], [2.356, 48.864], [2.356, 48.866], [2.354, 48.866], [2.354, 48.864]],
  ],
};
const cafe = { type: 'Circle', center: [2.37, 48.865], radius: 50 };
const INSIDE = { lat: 48.862, lng: 2.352 };
const IN_HOLE = { lat: 48.865, lng: 2.355 };
const ON_EDGE = { lat: 48.86, lng: 2.355 };
const OUTSIDE = { lat: 48.88, lng: 2.352 };

const events = (c: Client) => c.frames.filter((f) => f.type === 'fence.event').map((f) => `${f.event} ${f.fence} ${f.device}@${f.at}`);
const drain = async (c: Client) => {
  await c.request({ type: 'ping' });
};

describe.each(STORES)('geofences on $name', (store) => {
  let server: Server;
  const clients: Client[] = [];
  const connect = async (user: string) => {
    const c = await Client.connect(server.url(`user=${user}`));
    clients.push(c);
    return c;
  };
  let db: string;

  beforeAll(async () => {
    db = await store.fresh();
    server = await startServer({}, db);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it('creates, lists and subscribes to fences, and tells enter, exit and dwell as they happen', async () => {
    const admin = await connect('admin');
    const created = await admin.request({ type: 'fence.create', fence: { id: 'block', name: 'Block', shape: block, dwellMs: 60_000 } });
    expect(created).toEqual({ type: 'fence.created', ref: expect.any(String), fence: { id: 'block', name: 'Block', shape: block, dwellMs: 60_000, owner: 'admin' } });
    const cafeFence = (await admin.request({ type: 'fence.create', fence: { name: 'Café', shape: cafe } })).fence;
    expect(cafeFence).toEqual({ id: expect.any(String), name: 'Café', shape: cafe, owner: 'admin' });
    expect((await admin.request({ type: 'fence.list' })).fences.map((f: Frame) => f.name).sort()).toEqual(['Block', 'Café']);

    const watcher = await connect('watcher');
    expect(await watcher.request({ type: 'fence.subscribe', fences: ['block'] })).toMatchObject({ type: 'fence.subscribed', fences: ['block'] });
    const everything = await connect('ops');
    await everything.request({ type: 'fence.subscribe', fences: '*' });
    const phone = await connect('dora');
    const otherTab = await connect('dora');

    const move = (where: { lat: number; lng: number }, at: number) => phone.request({ type: 'location.update', device: 'van-1', ...where, at });
    expect(await move(OUTSIDE, 1000)).toEqual({ type: 'location.ack', ref: expect.any(String), device: 'van-1' });
    await move(INSIDE, 2000);
    await move(INSIDE, 3000);
    await move(IN_HOLE, 4000);
    await move(ON_EDGE, 5000);
    await move(ON_EDGE, 70_000);
    await move(ON_EDGE, 80_000);
    await move({ lat: 48.865, lng: 2.37 }, 90_000);
    await Promise.all([watcher, everything, phone, otherTab].map(drain));

    const blockEvents = ['enter block van-1@2000', 'exit block van-1@4000', 'enter block van-1@5000', 'dwell block van-1@70000', 'exit block van-1@90000'];
    expect(events(watcher)).toEqual(blockEvents);
    expect(events(everything)).toEqual([...blockEvents, `enter ${cafeFence.id} van-1@90000`]);
    // The device's user hears its own device, on every socket, without subscribing.
    expect(events(otherTab)).toEqual(events(everything));
    expect(events(phone)).toEqual(events(everything));
    expect(watcher.frames.find((f) => f.type === 'fence.event')).toEqual({ type: 'fence.event', event: 'enter', fence: 'block', device: 'van-1', ...INSIDE, at: 2000 });
  });

  it('stores a stale update without applying it, and takes the server time when at is absent', async () => {
    const c = await connect('eve');
    await c.request({ type: 'fence.subscribe', fences: ['block'] });
    await c.request({ type: 'location.update', device: 'bike', ...OUTSIDE, at: 10_000 });
    await c.request({ type: 'location.update', device: 'bike', ...INSIDE, at: 9_000 });
    const before = Date.now();
    await c.request({ type: 'location.update', device: 'bike', ...INSIDE, accuracy: 12.5 });
    await drain(c);
    const got = c.frames.filter((f) => f.type === 'fence.event');
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ event: 'enter', device: 'bike' });
    expect(got[0].at).toBeGreaterThanOrEqual(before);
  });

  it('re-evaluates devices when a fence is created, replaced or deleted', async () => {
    const c = await connect('fleet');
    await c.request({ type: 'location.update', device: 'truck', lat: 40.7128, lng: -74.006, at: 1 });
    await c.request({ type: 'fence.subscribe', fences: '*' });
    const square = (d: number) => ({ type: 'Polygon', coordinates: [[[-74.01, 40.71], [-74.01 + d, 40.71], [-74.01 + d, 40.71 + d], [-74.01, 40.71 + d], [-74.01, 40.71]]] });
    await c.request({ type: 'fence.create', fence: { id: 'nyc', name: 'NYC', shape: square(0.01) } });
    await c.request({ type: 'fence.create', fence: { id: 'nyc', name: 'NYC', shape: square(0.001) } });
    await c.request({ type: 'fence.create', fence: { id: 'nyc', name: 'NYC', shape: square(0.01) } });
    expect(await c.request({ type: 'fence.delete', id: 'nyc' })).toEqual({ type: 'fence.deleted', ref: expect.any(String), id: 'nyc' });
    expect((await c.request({ type: 'fence.delete', id: 'nyc' })).code).toBe('not_found');
    await drain(c);
    expect(c.frames.filter((f) => f.type === 'fence.event').map((f) => f.event)).toEqual(['enter', 'exit', 'enter', 'exit']);
  });

  it('refuses invalid shapes and frames with bad_request naming the field, and changes nothing', async () => {
    const c = await connect('fuzzer');
    const before = (await c.request({ type: 'fence.list' })).fences;
    const ring = (...points: number[][]) => ({ type: 'Polygon', coordinates: [points] });
    const cases: [string, object, string][] = [
      ['too few positions', { name: 'x', shape: ring([0, 0], [1, 0], [0, 0]) }, 'fence.shape.coordinates.0'],
      ['an unclosed ring', { name: 'x', shape: ring([0, 0], [1, 0], [1, 1], [0, 1]) }, 'fence.shape.coordinates.0'],
      ['a self-intersecting ring', { name: 'x', shape: ring([0, 0], [1, 1], [1, 0], [0, 1], [0, 0]) }, 'fence.shape.coordinates.0'],
      ['a longitude out of range', { name: 'x', shape: ring([0, 0], [181, 0], [1, 1], [0, 0]) }, 'fence.shape.coordinates.0.1.0'],
      ['a latitude out of range', { name: 'x', shape: ring([0, 0], [1, 0], [1, 91], [0, 0]) }, 'fence.shape.coordinates.0.2.1'],
      ['a hole outside its polygon', { name: 'x', shape: { type: 'Polygon', coordinates: [block.coordinates[0], [[3, 3], [3.1, 3], [3.1, 3.1], [3, 3]]] } }, 'fence.shape.coordinates.1'],
      ['a radius too large', { name: 'x', shape: { ...cafe, radius: 100_001 } }, 'fence.shape.radius'],
      ['a radius of zero', { name: 'x', shape: { ...cafe, radius: 0 } }, 'fence.shape.radius'],
      ['an unknown shape type', { name: 'x', shape: { type: 'Square' } }, 'fence.shape.type'],
      ['holes of a MultiPolygon part touching along an edge', { name: 'x', shape: { type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]], [[[5, 5], [9, 5], [9, 9], [5, 9], [5, 5]], [[6, 6], [7, 6], [7, 7], [6, 7], [6, 6]], [[7, 6], [8, 6], [8, 7], [7, 7], [7, 6]]]] } }, 'fence.shape.coordinates.1.2'],
      ['a repair that is not a boolean', { name: 'x', shape: cafe, repair: 'yes' }, 'fence.repair'],
      ['a missing name', { shape: cafe }, 'fence.name'],
      ['a bad id', { id: 'has space', name: 'x', shape: cafe }, 'fence.id'],
    ];
    for (const [name, fence, path] of cases) {
      const e = await c.request({ type: 'fence.create', fence });
      expect({ name, code: e.code, path: e.path }).toEqual({ name, code: 'bad_request', path });
    }
    const updates: [string, object, string][] = [
      ['a latitude out of range', { device: 'd', lat: 90.5, lng: 0 }, 'lat'],
      ['a longitude out of range', { device: 'd', lat: 0, lng: -181 }, 'lng'],
      ['a bad device id', { device: 'a/b', lat: 0, lng: 0 }, 'device'],
      ['a negative accuracy', { device: 'd', lat: 0, lng: 0, accuracy: -1 }, 'accuracy'],
      ['a bad time', { device: 'd', lat: 0, lng: 0, at: 'now' }, 'at'],
    ];
    for (const [name, update, path] of updates) {
      const e = await c.request({ type: 'location.update', ...update });
      expect({ name, code: e.code, path: e.path }).toEqual({ name, code: 'bad_request', path });
    }
    expect((await c.request({ type: 'fence.subscribe', fences: ['block', 'nope'] })).code).toBe('not_found');
    expect((await c.request({ type: 'fence.list' })).fences).toEqual(before);
  });

  it('takes a MultiPolygon as one fence: one enter and one exit across its parts and holes', async () => {
    const c = await connect('mia');
    // The block and a square touching its north-east corner (at one point: valid).
    const north = [[2.36, 48.87], [2.37, 48.87], [2.37, 48.88], [2.36, 48.88], [2.36, 48.87]];
    const shape = { type: 'MultiPolygon', coordinates: [block.coordinates, [north]] };
    expect((await c.request({ type: 'fence.create', fence: { id: 'twin', name: 'Twin', shape } })).fence.shape).toEqual(shape);
    await c.request({ type: 'fence.subscribe', fences: ['twin'] });
    // Into the block, over to the other part, back into the block's hole, out.
    const path = [INSIDE, { lat: 48.875, lng: 2.365 }, { lat: 48.872, lng: 2.368 }, IN_HOLE, OUTSIDE];
    for (const [i, where] of path.entries()) await c.request({ type: 'location.update', device: 'ferry', ...where, at: 1000 * (i + 1) });
    await drain(c);
    // The owner hears the block's own fence too; the twin's events are the ones that count.
    expect(events(c).filter((e) => e.includes(' twin '))).toEqual(['enter twin ferry@1000', 'exit twin ferry@4000']);
  });

  it('refuses an invalid polygon naming the ring and where, and with repair creates, lists and keeps the repaired shape', async () => {
    const c = await connect('rex');
    const holeOutside = { type: 'Polygon', coordinates: [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[6, 1], [7, 1], [7, 2], [6, 2], [6, 1]]] };
    expect(await c.request({ type: 'fence.create', fence: { id: 'odd', name: 'Odd', shape: holeOutside } })).toEqual({
      type: 'error', ref: expect.any(String), code: 'bad_request', path: 'fence.shape.coordinates.1', message: 'hole 1 is not valid: hole lies outside shell at or near [6, 1]',
    });
    const created = await c.request({ type: 'fence.create', fence: { id: 'odd', name: 'Odd', shape: holeOutside, repair: true } });
    // Even-odd: the stray hole becomes a polygon of its own.
    expect(created.fence.shape.type).toBe('MultiPolygon');
    expect(created.fence.shape.coordinates).toHaveLength(2);
    const listed = (await c.request({ type: 'fence.list' })).fences.find((f: Frame) => f.id === 'odd');
    expect(listed.shape).toEqual(created.fence.shape);
    await c.request({ type: 'fence.subscribe', fences: ['odd'] });
    await c.request({ type: 'location.update', device: 'kite', lat: 1.5, lng: 6.5, at: 1000 });
    await drain(c);
    expect(events(c)).toEqual(['enter odd kite@1000']);
    c.close();

    expect(await server.stop()).toBe(0);
    server = await startServer({}, db);
    const again = await connect('rex');
    expect((await again.request({ type: 'fence.list' })).fences.find((f: Frame) => f.id === 'odd').shape).toEqual(created.fence.shape);
  });

  it('keeps fences and device states across a restart: no repeated enter, one dwell', async () => {
    let c = await connect('rita');
    await c.request({ type: 'fence.create', fence: { id: 'depot', name: 'Depot', shape: { type: 'Circle', center: [2.4, 48.865], radius: 50 }, dwellMs: 1000 } });
    await c.request({ type: 'fence.subscribe', fences: ['depot'] });
    await c.request({ type: 'location.update', device: 'forklift', lat: 48.865, lng: 2.4, at: 1000 });
    await drain(c);
    expect(events(c)).toEqual(['enter depot forklift@1000']);
    c.close();
    expect(await server.stop()).toBe(0);

    server = await startServer({}, db);
    c = await connect('rita');
    expect((await c.request({ type: 'fence.list' })).fences.map((f: Frame) => f.id)).toContain('depot');
    await c.request({ type: 'fence.subscribe', fences: ['depot'] });
    for (const at of [1500, 2500, 3500]) await c.request({ type: 'location.update', device: 'forklift', lat: 48.865, lng: 2.4, at });
    await c.request({ type: 'location.update', device: 'forklift', lat: 48.9, lng: 2.4, at: 4000 });
    await drain(c);
    expect(events(c)).toEqual(['dwell depot forklift@2500', 'exit depot forklift@4000']);
  });

  it('loses no acked update or event when killed with -9', async () => {
    const file = await store.fresh();
    const crashing = await startServer({}, file);
    const c = await Client.connect(crashing.url('user=k'));
    await c.request({ type: 'fence.create', fence: { id: 'zone', name: 'Zone', shape: { type: 'Circle', center: [0, 0], radius: 100_000 } } });
    // Devices cross into the zone one by one; each update is acked once committed.
    const acked: string[] = [];
    let running = true;
    const sending = (async () => {
      for (let i = 0; running; i++) {
        const r = await c.request({ type: 'location.update', device: `dev-${i}`, lat: 0.1, lng: 0.1, at: 1 }, 2000).catch(() => undefined);
        if (r?.type !== 'location.ack') return;
        acked.push(r.device);
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));
    await crashing.kill9();
    running = false;
    await sending;
    expect(acked.length).toBeGreaterThan(20);

    const again = await startServer({}, file);
    const check = await Client.connect(again.url('user=k'));
    await check.request({ type: 'fence.subscribe', fences: ['zone'] });
    // Every acked device is known to be inside already: moving inside again tells nothing.
    for (const device of acked) await check.request({ type: 'location.update', device, lat: 0.2, lng: 0.2, at: 2 });
    await drain(check);
    expect(events(check)).toEqual([]);
    check.close();
    expect(await again.stop()).toBe(0);
  });
});
