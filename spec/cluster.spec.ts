// A 3-worker cluster on one port, coordinated through a real Redis: clients on
// different workers must see one server.
import Delta from 'quill-delta';
import { Client, Frame, Server, startServer } from './support/server';
import { Editor } from './support/editor';
import { RedisServer, startRedis } from './support/redis';
import { REDIS, describeWith } from './support/services';
import { STORES, StoreUnderTest } from './support/stores';
import { pick, seeded } from './support/random';
import { randomEdit } from './support/random-delta';

jest.setTimeout(120_000);

const WORKERS = 3;
const workerOf = (c: Client) => c.session.split('.')[0];

/** The cluster's specs, its workers sharing `store`, over a Redis run from `redisServer`. */
const cluster = (redisServer: string, store: StoreUnderTest) => () => {
  let redis: RedisServer;
  let server: Server;
  const clients: Client[] = [];

  /** Connects until the sockets land on at least `spread` workers (the kernel picks one a connection). */
  const connectSpread = async (users: string[], spread = 2): Promise<Client[]> => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const cs = await Promise.all(users.map((u) => Client.connect(server.url(`user=${u}`))));
      const workers = new Set(cs.map(workerOf));
      if (workers.size >= Math.min(spread, users.length)) {
        clients.push(...cs);
        return cs;
      }
      cs.forEach((c) => c.close());
    }
    throw new Error('the kernel kept every connection on one worker');
  };

  beforeAll(async () => {
    redis = await startRedis(redisServer);
    server = await startServer({ RUSHER_WORKERS: String(WORKERS), RUSHER_REDIS_URL: redis.url }, await store.fresh());
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
    await redis.stop();
  });

  it('gives sockets ids of the worker that holds them, on every worker', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 60 && seen.size < WORKERS; i++) {
      const c = await Client.connect(server.url(`user=w${i}`));
      seen.add(workerOf(c));
      c.close();
    }
    expect([...seen].sort()).toEqual(['0', '1', '2']);
  });

  it('chats across workers: one gap-free seq per room, presence counted once per user', async () => {
    const [ann, bob, cid] = await connectSpread(['ann', 'bob', 'cid'], 2);
    await ann.request({ type: 'room.join', room: 'across' });
    await bob.request({ type: 'room.join', room: 'across' });
    const joined = await cid.request({ type: 'room.join', room: 'across' });
    expect(joined.members.sort()).toEqual(['ann', 'bob', 'cid']);
    expect(await ann.next((f) => f.type === 'presence.join' && f.user === 'cid')).toMatchObject({ room: 'across' });

    const acks = await Promise.all([ann, bob, cid].flatMap((c) => Array.from({ length: 30 }, (_, i) => c.request({ type: 'chat.send', room: 'across', text: `${i}` }))));
    expect(acks.map((a) => a.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
    for (const c of [ann, bob, cid]) {
      await c.next((f) => f.type === 'chat.message' && f.seq === 90);
      expect(c.frames.filter((f) => f.type === 'chat.message').map((f) => f.seq)).toEqual(Array.from({ length: 89 }, (_, i) => i + 1));
    }
    bob.send({ type: 'chat.typing', room: 'across' });
    expect(await ann.next((f) => f.type === 'chat.typing')).toEqual({ type: 'chat.typing', room: 'across', user: 'bob' });
    bob.close();
    expect(await ann.next((f) => f.type === 'presence.leave')).toEqual({ type: 'presence.leave', room: 'across', user: 'bob' });
    const history = await cid.request({ type: 'room.history', room: 'across', limit: 200 });
    expect(history.messages.map((m: Frame) => m.seq)).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
  });

  it('edits one document from several workers: gap-free versions, every editor converges', async () => {
    const editors: Editor[] = [];
    for (let i = 0; i < 12; i++) editors.push(await Editor.open(server.url(`user=ed${i}`), 'shared', `ed${i}`));
    expect(new Set(editors.map((e) => e.session.split('.')[0])).size).toBeGreaterThan(1);
    const rng = seeded(3);
    for (let step = 0; step < 300; step++) {
      const e = pick(rng, editors);
      e.edit(randomEdit(rng, e.content.length()));
      if (step % 20 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(editors.map((e) => e.settled()));
    const reader = await Client.connect(server.url('user=reader'));
    clients.push(reader);
    const snap = await reader.request({ type: 'doc.open', doc: 'shared' });
    for (let i = 0; i < 500 && editors.some((e) => e.ot.version < snap.version); i++) await new Promise((r) => setTimeout(r, 10));
    for (const e of editors) {
      expect(e.errors).toEqual([]);
      expect(e.content).toEqual(new Delta(snap.content.ops));
    }
    expect(editors.flatMap((e) => e.acked).sort((a, b) => a - b)).toEqual(Array.from({ length: snap.version }, (_, i) => i + 1));
    editors.forEach((e) => e.close());
  });

  it('tells fence events to subscribers and to the device user on every worker', async () => {
    const [ops, van, tab] = await connectSpread(['ops', 'driver', 'driver'], 2);
    await ops.request({ type: 'fence.create', fence: { id: 'yard', name: 'Yard', shape: { type: 'Circle', center: [10, 10], radius: 500 } } });
    await ops.request({ type: 'fence.subscribe', fences: '*' });
    await van.request({ type: 'location.update', device: 'van-9', lat: 10, lng: 10, at: 1 });
    await van.request({ type: 'location.update', device: 'van-9', lat: 11, lng: 10, at: 2 });
    for (const c of [ops, van, tab]) {
      const enter = await c.next((f) => f.type === 'fence.event');
      const exit = await c.next((f) => f.type === 'fence.event');
      expect([enter.event, exit.event, enter.device]).toEqual(['enter', 'exit', 'van-9']);
    }
    expect((await tab.request({ type: 'fence.list' })).fences.map((f: Frame) => f.id)).toContain('yard');
  });

  it('feeds across workers: follows, posts told live on every worker, reactions and notifications', async () => {
    const [ann, bob, cid] = await connectSpread(['fann', 'fbob', 'fcid'], 2);
    for (const c of [ann, bob, cid]) await c.request({ type: 'feed.subscribe' });
    await bob.request({ type: 'feed.follow', user: 'fann' });
    await cid.request({ type: 'feed.follow', user: 'fann' });
    expect(await ann.request({ type: 'feed.follow', user: 'fbob' })).toMatchObject({ friends: true });
    const secret = (await ann.request({ type: 'feed.post', verb: 'post', object: 'x', text: 'friends only', visibility: 'friends' })).activity;
    const open = (await ann.request({ type: 'feed.post', verb: 'post', object: 'x', text: 'followers' })).activity;
    expect((await bob.next((f) => f.type === 'feed.activity')).activity.id).toBe(secret.id);
    expect((await bob.next((f) => f.type === 'feed.activity')).activity.id).toBe(open.id);
    expect((await cid.next((f) => f.type === 'feed.activity')).activity.id).toBe(open.id);
    expect(cid.frames.filter((f) => f.type === 'feed.activity')).toEqual([]);
    expect((await cid.request({ type: 'feed.timeline' })).activities.map((a: Frame) => a.id)).toEqual([open.id]);
    expect(await cid.request({ type: 'feed.react', activity: secret.id, kind: 'like' })).toMatchObject({ code: 'not_found' });
    expect(await bob.request({ type: 'feed.react', activity: secret.id, kind: 'like' })).toMatchObject({ reactions: { like: 1 } });
    expect(await ann.next((f) => f.type === 'feed.notification' && f.group.verb === 'like')).toMatchObject({ group: { object: secret.id, actors: ['fbob'] } });
  });
};

describeWith(REDIS, 'cluster', (redisServer) => STORES.forEach((store) => describe(`on ${store.name}`, cluster(redisServer, store))));
