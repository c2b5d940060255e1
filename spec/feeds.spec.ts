// Activity feeds over the real server: real uWS, a real SQLite file, `ws` clients. One
// test per row of PROTOCOL.md's "Activity feeds" table, then restarts.
import { Client, Frame, Server, startServer } from './support/server';
import { STORES } from './support/stores';

jest.setTimeout(60_000);

const ids = (activities: Frame[]) => activities.map((a) => a.text ?? a.object);
/** Waits a little and says whether a frame of `type` arrived (for "nothing is sent" checks). */
const quiet = async (c: Client, pred: (f: Frame) => boolean, ms = 300) => {
  await new Promise((r) => setTimeout(r, ms));
  return c.frames.filter(pred);
};

describe.each(STORES)('activity feeds on $name', (store) => {
  let server: Server;
  const clients: Client[] = [];
  let run = 0;
  /** Fresh user names per test: the server is shared. */
  let names: (n: string) => string;
  const connect = async (user: string, subscribe = true) => {
    const c = await Client.connect(server.url(`user=${user}`));
    clients.push(c);
    if (subscribe) expect(await c.request({ type: 'feed.subscribe' })).toMatchObject({ type: 'feed.subscribed' });
    return c;
  };
  const timeline = async (c: Client, q: object = {}) => (await c.request({ type: 'feed.timeline', ...q })).activities as Frame[];

  beforeAll(async () => {
    server = await startServer({}, await store.fresh());
  });
  beforeEach(() => {
    run += 1;
    names = (n) => `${n}${run}`;
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it('posts after commit, tells the actor and the followers live, and is idempotent by foreign_id', async () => {
    const [ann, bob, cid] = ['ann', 'bob', 'cid'].map(names);
    const a = await connect(ann);
    const b = await connect(bob);
    const c = await connect(cid);
    await b.request({ type: 'feed.follow', user: ann });
    const posted = await a.request({ type: 'feed.post', verb: 'post', object: 'photo:1', text: 'hello', foreign_id: 'p1' });
    expect(posted).toEqual({
      type: 'feed.posted',
      ref: expect.any(String),
      activity: { id: expect.stringMatching(/^\d{12}$/), actor: ann, verb: 'post', object: 'photo:1', text: 'hello', visibility: 'followers', at: expect.any(Number), foreign_id: 'p1', reactions: {} },
    });
    for (const socket of [a, b]) expect((await socket.next((f) => f.type === 'feed.activity')).activity).toEqual(posted.activity);
    expect(await quiet(c, (f) => f.type === 'feed.activity')).toEqual([]);

    const again = await a.request({ type: 'feed.post', verb: 'post', object: 'other', text: 'changed', foreign_id: 'p1' });
    expect(again.activity).toEqual(posted.activity);
    expect((await timeline(a)).map((x) => x.id)).toEqual([posted.activity.id]);
    expect(await quiet(b, (f) => f.type === 'feed.activity')).toEqual([]);

    const later = await a.request({ type: 'feed.post', verb: 'post', object: 'photo:2', visibility: 'public', target: 'album:1' });
    expect(later.activity.id > posted.activity.id).toBe(true);
    expect(later.activity).toMatchObject({ visibility: 'public', target: 'album:1' });
  });

  it('refuses bad posts with bad_request and the field', async () => {
    const a = await connect(names('ann'), false);
    for (const [frame, path] of [
      [{ verb: 'Post!', object: 'x' }, 'verb'],
      [{ verb: 'post', object: '' }, 'object'],
      [{ verb: 'post', object: 'x', visibility: 'everyone' }, 'visibility'],
      [{ verb: 'post', object: 'x', text: 'x'.repeat(4001) }, 'text'],
    ] as const) {
      expect(await a.request({ type: 'feed.post', ...frame })).toMatchObject({ type: 'error', code: 'bad_request', path });
    }
    expect(await a.request({ type: 'feed.timeline', limit: 101 })).toMatchObject({ code: 'bad_request', path: 'limit' });
    expect(await a.request({ type: 'feed.react', activity: 'abc', kind: 'like' })).toMatchObject({ code: 'bad_request', path: 'activity' });
    expect(await timeline(a)).toEqual([]);
  });

  it('follows: earlier activities appear, friends are told, the followed user is notified; unfollow hides them again', async () => {
    const [ann, bob] = ['ann', 'bob'].map(names);
    const a = await connect(ann);
    const b = await connect(bob);
    for (const text of ['one', 'two']) await a.request({ type: 'feed.post', verb: 'post', object: 'note', text });
    await a.request({ type: 'feed.post', verb: 'post', object: 'note', text: 'close friends', visibility: 'friends' });
    expect(await timeline(b)).toEqual([]);

    expect(await b.request({ type: 'feed.follow', user: ann })).toMatchObject({ type: 'feed.followed', user: ann, friends: false });
    expect(ids(await timeline(b))).toEqual(['two', 'one']);
    const told = await a.next((f) => f.type === 'feed.notification');
    expect(told).toMatchObject({ group: { verb: 'follow', object: ann, actors: [bob], actor_count: 1, count: 1, seen: false, read: false }, unseen: 1, unread: 1 });

    // Following again changes nothing; following back makes friends, and the friends-only post appears.
    expect(await b.request({ type: 'feed.follow', user: ann })).toMatchObject({ friends: false });
    expect(await a.request({ type: 'feed.follow', user: bob })).toMatchObject({ friends: true });
    expect(ids(await timeline(b))).toEqual(['close friends', 'two', 'one']);
    expect(await quiet(a, (f) => f.type === 'feed.notification')).toEqual([]);

    // Losing friendship hides the friends-only post; unfollowing hides the rest.
    expect(await a.request({ type: 'feed.unfollow', user: bob })).toMatchObject({ type: 'feed.unfollowed', user: bob });
    expect(ids(await timeline(b))).toEqual(['two', 'one']);
    await b.request({ type: 'feed.unfollow', user: ann });
    expect(await timeline(b)).toEqual([]);
    expect(await b.request({ type: 'feed.follow', user: bob })).toMatchObject({ type: 'error', code: 'forbidden', path: 'user' });
  });

  it('sends friends-only activities live only to friends, and nothing after an unfollow', async () => {
    const [ann, bob, cid] = ['ann', 'bob', 'cid'].map(names);
    const a = await connect(ann);
    const b = await connect(bob);
    const c = await connect(cid);
    await b.request({ type: 'feed.follow', user: ann });
    await c.request({ type: 'feed.follow', user: ann });
    await a.request({ type: 'feed.follow', user: bob });
    const secret = await a.request({ type: 'feed.post', verb: 'post', object: 'x', text: 'friends only', visibility: 'friends' });
    expect((await b.next((f) => f.type === 'feed.activity')).activity.id).toBe(secret.activity.id);
    expect(await quiet(c, (f) => f.type === 'feed.activity')).toEqual([]);

    await c.request({ type: 'feed.unfollow', user: ann });
    await a.request({ type: 'feed.post', verb: 'post', object: 'x', text: 'for followers' });
    expect((await b.next((f) => f.type === 'feed.activity')).activity.text).toBe('for followers');
    expect(await quiet(c, (f) => f.type === 'feed.activity')).toEqual([]);
  });

  it('blocks: ends both follows; the blocked user cannot follow, read or react', async () => {
    const [ann, bob] = ['ann', 'bob'].map(names);
    const a = await connect(ann);
    const b = await connect(bob);
    await b.request({ type: 'feed.follow', user: ann });
    await a.request({ type: 'feed.follow', user: bob });
    const pub = await a.request({ type: 'feed.post', verb: 'post', object: 'x', text: 'public', visibility: 'public' });
    await b.next((f) => f.type === 'feed.activity');

    expect(await a.request({ type: 'feed.block', user: bob })).toMatchObject({ type: 'feed.blocked', user: bob });
    expect(await timeline(b)).toEqual([]);
    expect(await b.request({ type: 'feed.user', user: ann })).toMatchObject({ type: 'feed.user', user: ann, activities: [], next: null });
    expect(await b.request({ type: 'feed.react', activity: pub.activity.id, kind: 'like' })).toMatchObject({ code: 'not_found', path: 'activity' });
    expect(await b.request({ type: 'feed.follow', user: ann })).toMatchObject({ code: 'forbidden' });
    expect(await a.request({ type: 'feed.follow', user: bob })).toMatchObject({ code: 'forbidden' });
    await a.request({ type: 'feed.post', verb: 'post', object: 'x', text: 'after the block', visibility: 'public' });
    expect(await quiet(b, (f) => f.type === 'feed.activity')).toEqual([]);

    expect(await a.request({ type: 'feed.unblock', user: bob })).toMatchObject({ type: 'feed.unblocked', user: bob });
    expect(ids((await b.request({ type: 'feed.user', user: ann })).activities)).toEqual(['after the block', 'public']);
    // The follows stay ended.
    expect(await timeline(b)).toEqual([]);
  });

  it('pages the timeline newest first with before, catches up with since, and reads a user feed by visibility', async () => {
    const [ann, bob, cid] = ['ann', 'bob', 'cid'].map(names);
    const a = await connect(ann, false);
    const b = await connect(bob, false);
    const c = await connect(cid, false);
    await b.request({ type: 'feed.follow', user: ann });
    const posted: Frame[] = [];
    for (let i = 0; i < 7; i++) posted.push((await (i % 2 ? a : b).request({ type: 'feed.post', verb: 'post', object: 'n', text: `t${i}`, visibility: i === 6 ? 'public' : 'followers' })).activity);
    const newestFirst = posted.map((p) => p.id).reverse();

    const first = await b.request({ type: 'feed.timeline', limit: 3 });
    expect(first.activities.map((x: Frame) => x.id)).toEqual(newestFirst.slice(0, 3));
    expect(first.next).toBe(newestFirst[2]);
    const second = await b.request({ type: 'feed.timeline', limit: 3, before: first.next });
    expect(second.activities.map((x: Frame) => x.id)).toEqual(newestFirst.slice(3, 6));
    const last = await b.request({ type: 'feed.timeline', limit: 3, before: second.next });
    expect([last.activities.map((x: Frame) => x.id), last.next]).toEqual([newestFirst.slice(6), null]);
    expect((await timeline(b, { since: posted[3].id })).map((x) => x.id)).toEqual(newestFirst.slice(0, 3));

    // A follower sees ann's followers posts on her feed; a stranger only the public one.
    expect(ids((await b.request({ type: 'feed.user', user: ann })).activities)).toEqual(['t5', 't3', 't1']);
    expect(ids((await c.request({ type: 'feed.user', user: bob })).activities)).toEqual(['t6']);
    expect(await timeline(c)).toEqual([]);
  });

  it('deletes: only the actor; it leaves every timeline and subscribers get feed.removed', async () => {
    const [ann, bob, cid] = ['ann', 'bob', 'cid'].map(names);
    const a = await connect(ann);
    const b = await connect(bob);
    const c = await connect(cid, false);
    await b.request({ type: 'feed.follow', user: ann });
    const p = (await a.request({ type: 'feed.post', verb: 'post', object: 'x', text: 'oops' })).activity;
    await b.request({ type: 'feed.react', activity: p.id, kind: 'like' });
    await a.next((f) => f.type === 'feed.notification');
    expect(await b.request({ type: 'feed.delete', activity: p.id })).toMatchObject({ code: 'forbidden' });
    expect(await c.request({ type: 'feed.delete', activity: p.id })).toMatchObject({ code: 'not_found' });
    expect(await a.request({ type: 'feed.delete', activity: p.id })).toMatchObject({ type: 'feed.deleted', activity: p.id });
    for (const s of [a, b]) expect(await s.next((f) => f.type === 'feed.removed')).toEqual({ type: 'feed.removed', activity: p.id });
    expect(await timeline(b)).toEqual([]);
    expect(await a.request({ type: 'feed.delete', activity: p.id })).toMatchObject({ code: 'not_found' });
    // Its notifications went with it; bob's follow stays.
    const left = await a.request({ type: 'feed.notifications' });
    expect([left.groups.map((g: Frame) => g.verb), left.unseen, left.unread]).toEqual([['follow'], 1, 1]);
  });

  it('reacts once per kind per user, counts, notifies the actor in groups, and refuses what the user may not see', async () => {
    const [ann, bob, cid, dee] = ['ann', 'bob', 'cid', 'dee'].map(names);
    const a = await connect(ann);
    const b = await connect(bob);
    const c = await connect(cid);
    const d = await connect(dee, false);
    await b.request({ type: 'feed.follow', user: ann });
    await c.request({ type: 'feed.follow', user: ann });
    const p = (await a.request({ type: 'feed.post', verb: 'post', object: 'x', text: 'like me' })).activity;

    expect(await b.request({ type: 'feed.react', activity: p.id, kind: 'like' })).toMatchObject({ type: 'feed.reacted', activity: p.id, kind: 'like', reactions: { like: 1 } });
    expect(await b.request({ type: 'feed.react', activity: p.id, kind: 'like' })).toMatchObject({ reactions: { like: 1 } });
    expect(await c.request({ type: 'feed.react', activity: p.id, kind: 'like' })).toMatchObject({ reactions: { like: 2 } });
    expect(await c.request({ type: 'feed.react', activity: p.id, kind: 'wow', text: 'nice' })).toMatchObject({ reactions: { like: 2, wow: 1 } });
    expect(await a.request({ type: 'feed.react', activity: p.id, kind: 'like' })).toMatchObject({ reactions: { like: 3, wow: 1 } });
    expect(await d.request({ type: 'feed.react', activity: p.id, kind: 'like' })).toMatchObject({ code: 'not_found' });
    expect(await d.request({ type: 'feed.react', activity: '999999999999', kind: 'like' })).toMatchObject({ code: 'not_found' });
    expect(await a.request({ type: 'feed.unreact', activity: p.id, kind: 'like' })).toMatchObject({ type: 'feed.unreacted', reactions: { like: 2, wow: 1 } });
    expect((await timeline(b))[0].reactions).toEqual({ like: 2, wow: 1 });

    const told: Frame[] = [];
    const reaction = (f: Frame) => f.type === 'feed.notification' && f.group.verb !== 'follow';
    for (let i = 0; i < 3; i++) told.push(await a.next(reaction));
    // bob's and cid's follows are one group: the third.
    expect(told.map((t) => [t.group.verb, t.group.count, t.unseen])).toEqual([
      ['like', 1, 2],
      ['like', 2, 2],
      ['wow', 1, 3],
    ]);
    expect(await quiet(a, reaction)).toEqual([]);
    const list = await a.request({ type: 'feed.notifications' });
    expect(list.groups.slice(0, 2)).toEqual([
      { id: expect.any(String), verb: 'wow', object: p.id, actors: [cid], actor_count: 1, count: 1, updated_at: expect.any(Number), seen: false, read: false },
      { id: expect.any(String), verb: 'like', object: p.id, actors: [cid, bob], actor_count: 2, count: 2, updated_at: expect.any(Number), seen: false, read: false },
    ]);
    expect(list.groups[2]).toMatchObject({ verb: 'follow', object: ann, actors: [cid, bob], actor_count: 2, count: 2 });
    expect([list.unseen, list.unread]).toEqual([3, 3]);

    // Unfollowing hides the activity from its reactions too.
    await b.request({ type: 'feed.unfollow', user: ann });
    expect(await b.request({ type: 'feed.unreact', activity: p.id, kind: 'like' })).toMatchObject({ code: 'not_found' });
  });

  it('marks notifications seen and read, and a new one makes its group unseen and unread again', async () => {
    const [ann, bob, cid] = ['ann', 'bob', 'cid'].map(names);
    const a = await connect(ann);
    const b = await connect(bob, false);
    const c = await connect(cid, false);
    await b.request({ type: 'feed.follow', user: ann });
    const p = (await a.request({ type: 'feed.post', verb: 'post', object: 'x' })).activity;
    await b.request({ type: 'feed.react', activity: p.id, kind: 'like' });
    expect(await a.request({ type: 'feed.mark', seen: true })).toEqual({ type: 'feed.marked', ref: expect.any(String), unseen: 0, unread: 2 });
    const groups = (await a.request({ type: 'feed.notifications', limit: 1 })).groups;
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ verb: 'like', seen: true, read: false });
    expect(await a.request({ type: 'feed.mark', read: [groups[0].id] })).toMatchObject({ unseen: 0, unread: 1 });
    await c.request({ type: 'feed.follow', user: ann });
    expect(await a.request({ type: 'feed.notifications' })).toMatchObject({ groups: [{ verb: 'follow', actors: [cid, bob], count: 2, seen: false, read: false }, { verb: 'like', read: true }], unseen: 1, unread: 1 });
    expect(await a.request({ type: 'feed.mark', read: true })).toMatchObject({ unseen: 0, unread: 0 });
    expect(await a.request({ type: 'feed.mark' })).toMatchObject({ type: 'feed.marked', unseen: 0, unread: 0 });
  });

  it('stops live frames on feed.unsubscribe', async () => {
    const [ann, bob] = ['ann', 'bob'].map(names);
    const a = await connect(ann);
    const b = await connect(bob);
    await b.request({ type: 'feed.follow', user: ann });
    expect(await b.request({ type: 'feed.unsubscribe' })).toMatchObject({ type: 'feed.unsubscribed' });
    await a.request({ type: 'feed.post', verb: 'post', object: 'x' });
    await a.next((f) => f.type === 'feed.activity');
    expect(await quiet(b, (f) => f.type.startsWith('feed.') && f.ref === undefined)).toEqual([]);
  });
});

describe.each(STORES)('activity feeds across restarts on $name', (store) => {
  it('keeps activities, follows, blocks, reactions and notifications; ids keep growing; foreign_id still dedupes', async () => {
    const db = await store.fresh();
    let server = await startServer({}, db);
    let a = await Client.connect(server.url('user=ann'));
    let b = await Client.connect(server.url('user=bob'));
    await b.request({ type: 'feed.follow', user: 'ann' });
    await a.request({ type: 'feed.follow', user: 'bob' });
    await a.request({ type: 'feed.block', user: 'eve' });
    const p = (await a.request({ type: 'feed.post', verb: 'post', object: 'x', text: 'kept', visibility: 'friends', foreign_id: 'k1' })).activity;
    await b.request({ type: 'feed.react', activity: p.id, kind: 'like' });
    const deleted = (await a.request({ type: 'feed.post', verb: 'post', object: 'x', text: 'gone' })).activity;
    await a.request({ type: 'feed.delete', activity: deleted.id });
    const before = await a.request({ type: 'feed.notifications' });
    a.close();
    b.close();
    expect(await server.stop()).toBe(0);

    server = await startServer({}, db);
    a = await Client.connect(server.url('user=ann'));
    b = await Client.connect(server.url('user=bob'));
    const e = await Client.connect(server.url('user=eve'));
    expect((await b.request({ type: 'feed.timeline' })).activities).toEqual([{ ...p, reactions: { like: 1 } }]);
    expect(await a.request({ type: 'feed.notifications' })).toEqual({ ...before, ref: expect.any(String) });
    expect(await e.request({ type: 'feed.follow', user: 'ann' })).toMatchObject({ code: 'forbidden' });
    expect((await a.request({ type: 'feed.post', verb: 'post', object: 'y', foreign_id: 'k1' })).activity.id).toBe(p.id);
    expect(await b.request({ type: 'feed.react', activity: p.id, kind: 'like' })).toMatchObject({ reactions: { like: 1 } });
    const next = (await a.request({ type: 'feed.post', verb: 'post', object: 'z' })).activity;
    expect(next.id > deleted.id).toBe(true);
    // A second like from a new actor joins the same group (today's), counted once per actor.
    await e.request({ type: 'feed.unblock', user: 'ann' });
    await a.request({ type: 'feed.unblock', user: 'eve' });
    await e.request({ type: 'feed.follow', user: 'ann' });
    await a.request({ type: 'feed.follow', user: 'eve' });
    await e.request({ type: 'feed.react', activity: p.id, kind: 'like' });
    const likes = (await a.request({ type: 'feed.notifications' })).groups.find((g: Frame) => g.verb === 'like');
    expect(likes).toMatchObject({ actors: ['eve', 'bob'], actor_count: 2, count: 2 });
    [a, b, e].forEach((c) => c.close());
    expect(await server.stop()).toBe(0);
  });

  it('loses no acked post when the server is killed with -9 while users post', async () => {
    const db = await store.fresh();
    const server = await startServer({}, db);
    const posters = await Promise.all([1, 2, 3].map((i) => Client.connect(server.url(`user=p${i}`))));
    const acked = new Set<string>();
    let running = true;
    const loops = posters.map(async (s) => {
      while (running) {
        const replies = await Promise.allSettled(Array.from({ length: 20 }, () => s.request({ type: 'feed.post', verb: 'post', object: 'x' }, 3000)));
        for (const r of replies) if (r.status === 'fulfilled' && r.value.type === 'feed.posted') acked.add(r.value.activity.id);
        if (replies.some((r) => r.status === 'rejected')) return;
      }
    });
    // Kill once posts are being acked (a busy host may take a while to start the writer thread).
    for (let waited = 0; acked.size < 200 && waited < 20_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    await server.kill9();
    running = false;
    await Promise.all(loops);
    expect(acked.size).toBeGreaterThan(100);

    const again = await startServer({}, db);
    const stored = new Set<string>();
    const reader = await Client.connect(again.url('user=reader'));
    for (const user of ['p1', 'p2', 'p3']) {
      // Followers-only posts: the reader follows first.
      await reader.request({ type: 'feed.follow', user });
      for (let before: string | null | undefined; before !== null; ) {
        const page = await reader.request({ type: 'feed.user', user, limit: 100, ...(before === undefined ? {} : { before }) });
        for (const x of page.activities) stored.add(x.id);
        before = page.next;
      }
    }
    reader.close();
    expect([...acked].filter((id) => !stored.has(id))).toEqual([]);
    expect(await again.stop()).toBe(0);
  });
});
