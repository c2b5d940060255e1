// Chat over the real server: real uWS, a real SQLite file or Postgres database, `ws` clients.
import { Client, Frame, Server, startServer } from './support/server';
import { STORES } from './support/stores';

jest.setTimeout(60_000);

const messages = (c: Client) => c.frames.filter((f) => f.type === 'chat.message');

describe.each(STORES)('chat rooms on $name', (store) => {
  let server: Server;
  const clients: Client[] = [];
  const connect = async (user: string) => {
    const c = await Client.connect(server.url(`user=${user}`));
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startServer({}, await store.fresh());
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it('welcomes a socket with its session, user and heartbeat', async () => {
    const c = await Client.connect(server.url('user=alice'));
    clients.push(c);
    const generated = await Client.connect(server.url(''));
    clients.push(generated);
    const hello = await new Promise<Frame>((resolve) => {
      const ws = new (require('ws'))(server.url('user=carol'));
      ws.on('message', (d: Buffer) => {
        resolve(JSON.parse(d.toString()));
        ws.close();
      });
    });
    expect(hello).toEqual({ type: 'welcome', session: expect.any(String), user: 'carol', protocol: 1, heartbeat: 30 });
  });

  it('broadcasts to every member, with presence and typing', async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    const joinedA = await alice.request({ type: 'room.join', room: 'lobby-1' });
    expect(joinedA).toMatchObject({ type: 'room.joined', room: 'lobby-1', members: ['alice'], history: [] });
    const joinedB = await bob.request({ type: 'room.join', room: 'lobby-1' });
    expect(joinedB.members.sort()).toEqual(['alice', 'bob']);
    expect(await alice.next((f) => f.type === 'presence.join')).toEqual({ type: 'presence.join', room: 'lobby-1', user: 'bob' });

    const ack = await alice.request({ type: 'chat.send', room: 'lobby-1', text: 'hello bob', id: 'hello-1' });
    expect(ack).toEqual({ type: 'chat.ack', ref: expect.any(String), room: 'lobby-1', seq: 1, at: expect.any(Number), id: 'hello-1' });
    const expected = { type: 'chat.message', room: 'lobby-1', seq: 1, user: 'alice', text: 'hello bob', at: ack.at, id: 'hello-1' };
    expect(await bob.next((f) => f.type === 'chat.message')).toEqual(expected);
    expect(await alice.next((f) => f.type === 'chat.message')).toEqual(expected);

    bob.send({ type: 'chat.typing', room: 'lobby-1' });
    expect(await alice.next((f) => f.type === 'chat.typing')).toEqual({ type: 'chat.typing', room: 'lobby-1', user: 'bob' });

    expect(await bob.request({ type: 'room.leave', room: 'lobby-1' })).toMatchObject({ type: 'room.left', room: 'lobby-1' });
    expect(await alice.next((f) => f.type === 'presence.leave')).toEqual({ type: 'presence.leave', room: 'lobby-1', user: 'bob' });
    expect((await bob.request({ type: 'chat.send', room: 'lobby-1', text: 'gone' })).code).toBe('not_joined');
  });

  it('counts presence per user: a second socket of the same user is not a new member', async () => {
    const watcher = await connect('watcher');
    await watcher.request({ type: 'room.join', room: 'presence-1' });
    const tab1 = await connect('dora');
    const tab2 = await connect('dora');
    await tab1.request({ type: 'room.join', room: 'presence-1' });
    expect(await watcher.next((f) => f.type === 'presence.join')).toMatchObject({ user: 'dora' });
    expect((await tab2.request({ type: 'room.join', room: 'presence-1' })).members.sort()).toEqual(['dora', 'watcher']);
    tab1.close();
    await tab1.closed;
    tab2.close();
    await tab2.closed;
    expect(await watcher.next((f) => f.type === 'presence.leave')).toMatchObject({ user: 'dora' });
    // One join and one leave for dora's two sockets, nothing else.
    expect(watcher.frames.filter((f) => f.type.startsWith('presence.'))).toEqual([]);
  });

  it('keeps seq gap-free under 4 concurrent senders, and every member sees the same order', async () => {
    const senders = await Promise.all(['s1', 's2', 's3', 's4'].map(connect));
    await Promise.all(senders.map((s) => s.request({ type: 'room.join', room: 'busy' })));
    const perSender = 250;
    const acks = await Promise.all(
      senders.map((s, i) => Promise.all(Array.from({ length: perSender }, (_, n) => s.request({ type: 'chat.send', room: 'busy', text: `${i}:${n}` })))),
    );
    if (acks.flat().some((a) => a.type !== 'chat.ack')) console.log(server.output().split('\n').filter((l) => l.includes('commit failed')).slice(0, 2).join('\n'));
    expect(acks.flat().filter((a) => a.type !== 'chat.ack')).toEqual([]);
    const seqs = acks.flat().map((a) => a.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 4 * perSender }, (_, i) => i + 1));
    // Each sender's own messages keep their send order.
    for (const list of acks) expect(list.map((a) => a.seq)).toEqual([...list.map((a) => a.seq)].sort((a, b) => a - b));
    for (const s of senders) {
      await s.next((f) => f.type === 'chat.message' && f.seq === 4 * perSender);
      expect(messages(s).map((m) => m.seq)).toEqual(seqs.slice(0, -1));
    }
  });

  it('acks a resent id with the original seq and stores it once', async () => {
    const c = await connect('eve');
    await c.request({ type: 'room.join', room: 'idem' });
    const first = await c.request({ type: 'chat.send', room: 'idem', text: 'once', id: 'same-id' });
    const again = await c.request({ type: 'chat.send', room: 'idem', text: 'once', id: 'same-id' });
    expect(again).toMatchObject({ type: 'chat.ack', seq: first.seq, at: first.at, id: 'same-id' });
    const next = await c.request({ type: 'chat.send', room: 'idem', text: 'next' });
    expect(next.seq).toBe(first.seq + 1);
    const history = await c.request({ type: 'room.history', room: 'idem' });
    expect(history.messages.map((m: Frame) => m.text)).toEqual(['once', 'next']);
  });

  it('pages back through history and recovers missed messages with since', async () => {
    const writer = await connect('writer');
    await writer.request({ type: 'room.join', room: 'paging' });
    for (let i = 1; i <= 120; i++) await writer.request({ type: 'chat.send', room: 'paging', text: `m${i}` });

    const reader = await connect('reader');
    const joined = await reader.request({ type: 'room.join', room: 'paging' });
    expect(joined.history.map((m: Frame) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 71 + i));
    const page = await reader.request({ type: 'room.history', room: 'paging', before: 71, limit: 30 });
    expect(page.messages.map((m: Frame) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 41 + i));
    const anyone = await connect('stranger');
    const newest = await anyone.request({ type: 'room.history', room: 'paging', limit: 3 });
    expect(newest.messages.map((m: Frame) => m.text)).toEqual(['m118', 'm119', 'm120']);

    reader.close();
    await reader.closed;
    for (let i = 121; i <= 125; i++) await writer.request({ type: 'chat.send', room: 'paging', text: `m${i}` });
    const back = await connect('reader');
    const resumed = await back.request({ type: 'room.join', room: 'paging', since: 120 });
    expect(resumed.history.map((m: Frame) => m.text)).toEqual(['m121', 'm122', 'm123', 'm124', 'm125']);
  });

  it('answers bad input with the right error and keeps the socket', async () => {
    const c = await connect('fuzzer');
    const cases: [string, object | string | Buffer, string, string?][] = [
      ['not JSON', '{"type":', 'bad_json'],
      ['a binary frame', Buffer.from([0x01, 0x02]), 'bad_frame'],
      ['a JSON array', '[1,2]', 'unknown_type'],
      ['no type', { room: 'x' }, 'unknown_type', 'type'],
      ['an unknown type', { type: 'room.explode' }, 'unknown_type', 'type'],
      ['a missing room', { type: 'room.join' }, 'bad_request', 'room'],
      ['a mistyped room', { type: 'room.join', room: 42 }, 'bad_request', 'room'],
      ['a bad room name', { type: 'room.join', room: 'no spaces!' }, 'bad_request', 'room'],
      ['an over-long room name', { type: 'room.join', room: 'x'.repeat(129) }, 'bad_request', 'room'],
      ['a negative since', { type: 'room.join', room: 'ok', since: -1 }, 'bad_request', 'since'],
      ['empty text', { type: 'chat.send', room: 'ok', text: '' }, 'bad_request', 'text'],
      ['over-long text', { type: 'chat.send', room: 'ok', text: 'x'.repeat(4001) }, 'bad_request', 'text'],
      ['text of the wrong type', { type: 'chat.send', room: 'ok', text: ['hi'] }, 'bad_request', 'text'],
      ['a history limit out of range', { type: 'room.history', room: 'ok', limit: 201 }, 'bad_request', 'limit'],
      ['an over-long ref', { type: 'ping', ref: 'r'.repeat(65) }, 'bad_request', 'ref'],
      ['send before join', { type: 'chat.send', room: 'elsewhere', text: 'hi' }, 'not_joined', 'room'],
      ['an oversize frame', { type: 'chat.send', room: 'ok', text: 'x'.repeat(300 * 1024) }, 'too_large'],
    ];
    for (const [name, frame, code, path] of cases) {
      c.send(frame);
      const e = await c.next((f) => f.type === 'error');
      expect({ name, code: e.code, path: e.path }).toEqual({ name, code, path });
      expect(typeof e.message).toBe('string');
      expect(await c.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    }
    // The refused frames changed nothing: the room is still empty.
    expect((await c.request({ type: 'room.history', room: 'ok' })).messages).toEqual([]);
  });

  it('echoes ref on errors when the frame had one', async () => {
    const c = await connect('refs');
    c.send({ type: 'room.join', ref: 'abc', room: '' });
    expect(await c.next((f) => f.type === 'error')).toMatchObject({ ref: 'abc', code: 'bad_request', path: 'room' });
  });

  it('serves /health and /metrics', async () => {
    const health = await fetch(`http://127.0.0.1:${server.port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const metrics = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    expect(metrics).toMatch(/^rusher_connections \d+$/m);
    expect(metrics).toMatch(/^rusher_commit_batch_size_count \d+$/m);
    expect(metrics).toMatch(/^rusher_errors_total\{code="bad_json"\} [1-9]/m);
  });
});
