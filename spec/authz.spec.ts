// The authorization matrix over the real server, with token auth on: for each user ×
// action × resource (rooms, history, `since` catch-up, typing, docs, cursors, fences,
// subscriptions, devices) the cell is asserted, and every refusal is `forbidden` naming
// the field and changes nothing — no row, no broadcast, no presence, no subscription.
// Then again after a restart (owners are stored), and in a 3-worker cluster.
import Database from 'better-sqlite3';
import { Client, Frame, Server, startServer, tempDb } from './support/server';
import { RedisServer, startRedis } from './support/redis';
import { SECRET, TokenClaims, sign } from './support/tokens';

jest.setTimeout(120_000);

const USERS: Record<string, TokenClaims> = {
  alice: { sub: 'alice', rooms: ['team-a.*'], docs: ['team-a.*'], devices: ['alice-*'] },
  bob: { sub: 'bob', rooms: ['team-a.*'], docs: ['team-a.*'] },
  mallory: { sub: 'mallory', rooms: ['mallory.*'], docs_read: ['team-a.handbook'] },
  root: { sub: 'root', admin: true },
};

const HOME = { type: 'Circle', center: [10, 10], radius: 500 };
const AWAY = { type: 'Circle', center: [20, 20], radius: 500 };
const INSIDE = { lat: 10, lng: 10 };
const OUTSIDE = { lat: 11, lng: 10 };

const forbidden = (path: string) => ({ type: 'error', code: 'forbidden', path, message: expect.any(String) });
/** Frames `c` got that came from `user`'s doing. */
const from = (c: Client, user: string) => c.frames.filter((f) => f.user === user && f.type !== 'welcome');

const variants: [string, boolean][] = [
  ['one process', false],
  ['a 3-worker cluster', true],
];

describe.each(variants)('authorization (%s)', (_name, cluster) => {
  let redis: RedisServer | undefined;
  let server: Server;
  const db = tempDb();
  const clients: Client[] = [];
  const env = async (): Promise<Record<string, string>> =>
    cluster ? { RUSHER_JWT_SECRET: SECRET, RUSHER_WORKERS: '3', RUSHER_REDIS_URL: (redis ??= await startRedis()).url } : { RUSHER_JWT_SECRET: SECRET };
  const as = async (user: string) => {
    const c = await Client.connect(server.url(`token=${await sign(USERS[user])}`));
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startServer(await env(), db);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
    await redis?.stop();
  });

  it('rooms: join, since, history, send and typing need the rooms claim; public. rooms are open to all', async () => {
    const [alice, mallory, root] = [await as('alice'), await as('mallory'), await as('root')];
    await alice.request({ type: 'room.join', room: 'team-a.general' });
    await alice.request({ type: 'chat.send', room: 'team-a.general', text: 'the plan' });

    const refused: [object, string][] = [
      [{ type: 'room.join', room: 'team-a.general' }, 'room'],
      [{ type: 'room.join', room: 'team-a.general', since: 0 }, 'room'],
      [{ type: 'room.history', room: 'team-a.general' }, 'room'],
      [{ type: 'chat.send', room: 'team-a.general', text: 'defaced' }, 'room'],
      [{ type: 'chat.typing', room: 'team-a.general' }, 'room'],
      [{ type: 'room.join', room: 'team-b.general' }, 'room'],
    ];
    for (const [frame, path] of refused) expect(await mallory.request(frame)).toMatchObject(forbidden(path));
    expect(await alice.request({ type: 'room.join', room: 'mallory.den' })).toMatchObject(forbidden('room'));

    // Nothing changed: the room has its one message and no mallory; alice heard nothing of her.
    const seen = await root.request({ type: 'room.join', room: 'team-a.general' });
    expect(seen.members.sort()).toEqual(['alice', 'root']);
    expect(seen.history.map((m: Frame) => m.text)).toEqual(['the plan']);
    await alice.request({ type: 'chat.send', room: 'team-a.general', text: 'marker' });
    await alice.next((f) => f.type === 'chat.message' && f.text === 'marker');
    expect(from(alice, 'mallory')).toEqual([]);

    // Allowed cells.
    expect((await mallory.request({ type: 'room.join', room: 'public.lobby' })).type).toBe('room.joined');
    expect((await alice.request({ type: 'room.join', room: 'public.lobby' })).members.sort()).toEqual(['alice', 'mallory']);
    expect((await mallory.request({ type: 'chat.send', room: 'public.lobby', text: 'hi all' })).type).toBe('chat.ack');
    expect((await mallory.request({ type: 'room.join', room: 'mallory.den', since: 0 })).type).toBe('room.joined');
    expect((await root.request({ type: 'room.history', room: 'mallory.den' })).type).toBe('room.history');
    expect((await alice.request({ type: 'room.history', room: 'team-a.general', before: 2 })).messages.map((m: Frame) => m.text)).toEqual(['the plan']);
  });

  it('docs: open needs docs or docs_read, ops and cursors need docs; public. docs are open to all', async () => {
    const [alice, mallory, root] = [await as('alice'), await as('mallory'), await as('root')];
    await alice.request({ type: 'doc.open', doc: 'team-a.spec' });
    expect((await alice.request({ type: 'doc.op', doc: 'team-a.spec', version: 0, op: { ops: [{ insert: 'hello' }] } })).version).toBe(1);
    expect(await mallory.request({ type: 'doc.open', doc: 'team-a.spec' })).toMatchObject(forbidden('doc'));
    expect(await mallory.request({ type: 'doc.op', doc: 'team-a.spec', version: 1, op: { ops: [{ delete: 5 }, { insert: 'defaced' }] } })).toMatchObject(forbidden('doc'));

    // A read-only reader sees the document and its live ops, but cannot change it or show a cursor.
    await alice.request({ type: 'doc.open', doc: 'team-a.handbook' });
    await alice.request({ type: 'doc.op', doc: 'team-a.handbook', version: 0, op: { ops: [{ insert: 'rules' }] } });
    const snap = await mallory.request({ type: 'doc.open', doc: 'team-a.handbook' });
    expect([snap.type, snap.version, snap.content]).toEqual(['doc.snapshot', 1, { ops: [{ insert: 'rules' }] }]);
    expect(await mallory.request({ type: 'doc.op', doc: 'team-a.handbook', version: 1, op: { ops: [{ insert: 'x' }] } })).toMatchObject(forbidden('doc'));
    expect(await mallory.request({ type: 'doc.cursor', doc: 'team-a.handbook', version: 1, range: { index: 0, length: 2 } })).toMatchObject(forbidden('doc'));
    await alice.request({ type: 'doc.op', doc: 'team-a.handbook', version: 1, op: { ops: [{ retain: 5 }, { insert: '!' }] } });
    expect(await mallory.next((f) => f.type === 'doc.op')).toMatchObject({ doc: 'team-a.handbook', version: 2, user: 'alice' });
    alice.send({ type: 'doc.cursor', doc: 'team-a.handbook', version: 2, range: { index: 1, length: 0 } });
    expect(await mallory.next((f) => f.type === 'doc.cursor')).toMatchObject({ user: 'alice' });

    // Nothing changed: root finds both documents as alice left them; alice saw nothing of mallory.
    expect((await root.request({ type: 'doc.open', doc: 'team-a.spec' })).content).toEqual({ ops: [{ insert: 'hello' }] });
    expect((await root.request({ type: 'doc.open', doc: 'team-a.handbook' })).content).toEqual({ ops: [{ insert: 'rules!' }] });
    expect((await root.request({ type: 'doc.op', doc: 'team-a.spec', version: 1, op: { ops: [{ insert: '> ' }] } })).version).toBe(2);
    await alice.next((f) => f.type === 'doc.op' && f.user === 'root');
    expect(from(alice, 'mallory')).toEqual([]);

    expect((await mallory.request({ type: 'doc.open', doc: 'public.notes' })).type).toBe('doc.snapshot');
    expect((await mallory.request({ type: 'doc.op', doc: 'public.notes', version: 0, op: { ops: [{ insert: 'anyone' }] } })).type).toBe('doc.ack');
    expect(await alice.request({ type: 'doc.open', doc: 'mallory.diary' })).toMatchObject(forbidden('doc'));
  });

  it('fences and devices: owners alone delete, replace, subscribe to and report them; admins everything', async () => {
    const [alice, bob, mallory, root] = [await as('alice'), await as('bob'), await as('mallory'), await as('root')];
    const created = await alice.request({ type: 'fence.create', fence: { id: 'alice-home', name: 'Home', shape: HOME } });
    expect(created.fence).toMatchObject({ id: 'alice-home', owner: 'alice' });
    await alice.request({ type: 'fence.subscribe', fences: '*' });

    expect(await mallory.request({ type: 'fence.delete', id: 'alice-home' })).toMatchObject(forbidden('id'));
    expect(await mallory.request({ type: 'fence.create', fence: { id: 'alice-home', name: 'Mine now', shape: AWAY } })).toMatchObject(forbidden('fence.id'));
    expect(await mallory.request({ type: 'fence.subscribe', fences: ['alice-home'] })).toMatchObject(forbidden('fences.0'));
    expect((await mallory.request({ type: 'fence.subscribe', fences: '*' })).type).toBe('fence.subscribed');
    expect((await mallory.request({ type: 'fence.list' })).fences).toEqual([]);
    await mallory.request({ type: 'fence.create', fence: { id: 'mallory-spot', name: 'Spot', shape: AWAY } });
    expect((await mallory.request({ type: 'fence.list' })).fences.map((f: Frame) => [f.id, f.owner])).toEqual([['mallory-spot', 'mallory']]);
    expect((await alice.request({ type: 'fence.list' })).fences.map((f: Frame) => [f.id, f.name, f.owner])).toEqual([['alice-home', 'Home', 'alice']]);

    // Devices: the first reporter owns one; nobody else may move it.
    expect((await alice.request({ type: 'location.update', device: 'alice-phone', ...INSIDE })).type).toBe('location.ack');
    expect(await alice.next((f) => f.type === 'fence.event')).toMatchObject({ event: 'enter', fence: 'alice-home', device: 'alice-phone' });
    expect(await mallory.request({ type: 'location.update', device: 'alice-phone', ...OUTSIDE })).toMatchObject(forbidden('device'));
    expect(await alice.request({ type: 'location.update', device: 'van-1', ...INSIDE })).toMatchObject(forbidden('device'));
    expect((await bob.request({ type: 'location.update', device: 'bob-car', ...OUTSIDE })).type).toBe('location.ack');
    expect(await bob.request({ type: 'fence.delete', id: 'mallory-spot' })).toMatchObject(forbidden('id'));
    // The phone is where alice put it: an update inside changes nothing, so no event.
    expect((await alice.request({ type: 'location.update', device: 'alice-phone', ...INSIDE })).type).toBe('location.ack');

    // An admin lists, subscribes to and deletes anything, and moves any device (which stays its owner's).
    expect((await root.request({ type: 'fence.list' })).fences.map((f: Frame) => f.id).sort()).toEqual(['alice-home', 'mallory-spot']);
    expect((await root.request({ type: 'fence.subscribe', fences: ['alice-home'] })).type).toBe('fence.subscribed');
    expect((await root.request({ type: 'location.update', device: 'alice-phone', ...OUTSIDE })).type).toBe('location.ack');
    expect(await root.next((f) => f.type === 'fence.event')).toMatchObject({ event: 'exit', fence: 'alice-home' });
    expect(await alice.next((f) => f.type === 'fence.event')).toMatchObject({ event: 'exit', fence: 'alice-home', device: 'alice-phone' });
    expect(alice.frames.filter((f) => f.type === 'fence.event')).toEqual([]);
    expect((await root.request({ type: 'fence.delete', id: 'mallory-spot' })).type).toBe('fence.deleted');
    expect(mallory.frames.filter((f) => f.type === 'fence.event')).toEqual([]);
  });

  if (!cluster) {
    it('keeps owners across a restart, and nothing refused was stored', async () => {
      expect(await server.stop()).toBe(0);
      const file = new Database(db, { readonly: true });
      expect(file.prepare("select count(*) n from messages where user = 'mallory' and room not like 'public.%'").get()).toEqual({ n: 0 });
      expect(file.prepare("select count(*) n from doc_ops where user = 'mallory' and doc not like 'public.%'").get()).toEqual({ n: 0 });
      expect(file.prepare("select count(*) n from locations where user = 'mallory'").get()).toEqual({ n: 0 });
      expect(file.prepare('select device, owner from devices order by device').all()).toEqual([
        { device: 'alice-phone', owner: 'alice' },
        { device: 'bob-car', owner: 'bob' },
      ]);
      expect(file.prepare('select id, owner from fences').all()).toEqual([{ id: 'alice-home', owner: 'alice' }]);
      file.close();

      server = await startServer(await env(), db);
      const [alice, mallory] = [await as('alice'), await as('mallory')];
      expect(await mallory.request({ type: 'fence.delete', id: 'alice-home' })).toMatchObject(forbidden('id'));
      expect(await mallory.request({ type: 'location.update', device: 'alice-phone', ...INSIDE })).toMatchObject(forbidden('device'));
      await alice.request({ type: 'fence.subscribe', fences: ['alice-home'] });
      // The phone's state came back from the store: outside, so one update inside enters once.
      expect((await alice.request({ type: 'location.update', device: 'alice-phone', ...OUTSIDE })).type).toBe('location.ack');
      expect((await alice.request({ type: 'location.update', device: 'alice-phone', ...INSIDE })).type).toBe('location.ack');
      expect(await alice.next((f) => f.type === 'fence.event')).toMatchObject({ event: 'enter', fence: 'alice-home' });
      await alice.request({ type: 'ping' });
      expect(alice.frames.filter((f) => f.type === 'fence.event')).toEqual([]);
    });
  }
});
