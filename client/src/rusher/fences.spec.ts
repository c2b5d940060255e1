import { Subscription, filter } from 'rxjs';
import { createRusher } from './client';
import { FenceEvent, Shape } from './frames';
import { FakeServer } from './testing/fake-server';
import { BACKOFF, URL, newScheduler, play } from './testing/marbles';

const event = (fence: string, at: number): FenceEvent => ({ event: 'enter', fence, device: 'van-1', lat: 48.85, lng: 2.35, at });

describe('fence events', () => {
  it('subscribes again on every socket, passes only the selected fences, and unsubscribes at the end', () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    server.onConnect = (socket) => socket.accept();
    server.respond = (f, socket) => {
      if (f.type === 'fence.subscribe') socket.push({ type: 'fence.subscribed', ref: f.ref, fences: f.fences });
    };
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(server.sent$.pipe(filter((f) => f.type.startsWith('fence.')))).toBe('a 1019ms b 489ms c', {
        a: { type: 'fence.subscribe', fences: ['north'], ref: 1 },
        b: { type: 'fence.subscribe', fences: ['north'], ref: 2 },
        c: { type: 'fence.unsubscribe', fences: ['north'], ref: 3 },
      });
      const rusher = createRusher({ url: URL, WebSocketCtor: server.WebSocketCtor, scheduler, backoff: BACKOFF });
      const events$ = rusher.fences.events(['north']);
      expectObservable(events$, '^ 1500ms !').toBe('10ms a 1019ms b', { a: event('north', 1), b: event('north', 3) });
      let sub!: Subscription;
      play(cold, 's 9ms e 9ms x 1009ms e 479ms u 9ms c', {
        s: () => (sub = events$.subscribe()),
        // An event of another fence reaches us too (the device is ours); it is not selected.
        e: () => {
          const at = server.sockets.length * 2 - 1;
          server.last.push({ type: 'fence.event', ...event('north', at) });
          server.last.push({ type: 'fence.event', ...event('south', at) });
        },
        x: () => server.last.drop(),
        u: () => sub.unsubscribe(),
        c: () => rusher.close(),
      });
    });
  });
});

describe('fence requests', () => {
  it("rejects an invalid shape with the server's message", async () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    server.onConnect = (socket) => socket.accept();
    server.respond = (f, socket) => {
      if (f.type === 'fence.create') socket.push({ type: 'error', ref: f.ref, code: 'bad_request', message: 'the ring intersects itself', path: 'fence.shape.coordinates.0' });
    };
    let created!: Promise<unknown>;
    scheduler.run(({ cold }) => {
      const rusher = createRusher({ url: URL, WebSocketCtor: server.WebSocketCtor, scheduler, backoff: BACKOFF });
      const bowtie = { type: 'Polygon' as const, coordinates: [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]] as [number, number][]] };
      created = rusher.fences.create({ name: 'bow tie', shape: bowtie });
      play(cold, '10ms c', { c: () => rusher.close() });
    });
    await expect(created).rejects.toMatchObject({ code: 'bad_request', message: 'the ring intersects itself', path: 'fence.shape.coordinates.0' });
  });
});

describe('importGeoJson', () => {
  it('creates a fence of each polygon, with repair, and tells what became of each', async () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    server.onConnect = (socket) => socket.accept();
    const square = { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] };
    const bowtie = { type: 'Polygon', coordinates: [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]] };
    const triangles = { type: 'MultiPolygon', coordinates: [[[[0, 0], [0.5, 0.5], [1, 0], [0, 0]]], [[[0, 1], [0.5, 0.5], [1, 1], [0, 1]]]] };
    const sent: unknown[] = [];
    server.respond = (f, socket) => {
      if (f.type !== 'fence.create') return;
      sent.push(f.fence);
      // The fake server "repairs" the bow-tie into its two triangles; the rest come back as sent.
      const { name, shape } = f.fence as { name: string; shape: Shape };
      if (name === 'Far') socket.push({ type: 'error', ref: f.ref, code: 'bad_request', message: 'latitude 91 is outside [-90, 90]', path: 'fence.shape.coordinates.0.2.1' });
      else socket.push({ type: 'fence.created', ref: f.ref, fence: { id: name.toLowerCase(), name, shape: name === 'Tie' ? (triangles as unknown as Shape) : shape } });
    };
    let imported!: Promise<unknown>;
    scheduler.run(({ cold }) => {
      const rusher = createRusher({ url: URL, WebSocketCtor: server.WebSocketCtor, scheduler, backoff: BACKOFF });
      const file = {
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { NAME: 'Square' }, geometry: square },
          { type: 'Feature', properties: { NAME: 'Tie' }, geometry: bowtie },
          { type: 'Feature', properties: { NAME: 'Far' }, geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 91], [0, 0]]] } },
          { type: 'Feature', properties: { NAME: 'Pin' }, geometry: { type: 'Point', coordinates: [0, 0] } },
        ],
      };
      // All three requests go out at once (a window of 8), so all are answered before the close.
      imported = rusher.fences.importGeoJson(file, { nameProperty: 'NAME', repair: true });
      play(cold, '50ms c', { c: () => rusher.close() });
    });
    await expect(imported).resolves.toEqual({
      summary: {
        created: 1,
        repaired: 1,
        refused: [{ name: 'Far', reason: 'fence.shape.coordinates.0.2.1: latitude 91 is outside [-90, 90]' }],
        skipped: [{ feature: 3, reason: 'a Point: only Polygons and MultiPolygons are fences' }],
      },
      created: expect.arrayContaining([expect.objectContaining({ name: 'Square', shape: square }), expect.objectContaining({ name: 'Tie', shape: triangles })]),
    });
    expect(sent).toEqual([expect.objectContaining({ name: 'Square', repair: true }), expect.objectContaining({ name: 'Tie', repair: true }), expect.objectContaining({ name: 'Far', repair: true })]);
  });
});
