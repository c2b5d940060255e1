// Every limit over the real server: past it the answer is `quota_exceeded` (or HTTP 429 at
// the upgrade, `too_large` for replies a socket cannot buffer) and nothing changes; below
// it again, the same request succeeds.
import { Client, Frame, Server, startServer } from './support/server';

jest.setTimeout(60_000);

const quota = (path: string) => ({ type: 'error', code: 'quota_exceeded', path, message: expect.any(String) });
const circle = (lng: number) => ({ type: 'Circle', center: [lng, 0], radius: 100 });

describe('limits per socket and per user', () => {
  let server: Server;
  const clients: Client[] = [];
  const connect = async (user: string) => {
    const c = await Client.connect(server.url(`user=${user}`));
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startServer({
      RUSHER_MAX_ROOMS_PER_SOCKET: '3',
      RUSHER_MAX_DOCS_PER_SOCKET: '2',
      RUSHER_MAX_FENCES_PER_USER: '2',
      RUSHER_MAX_DEVICES_PER_USER: '2',
      RUSHER_MAX_DOC_CHARS: '20',
      RUSHER_MAX_SOCKETS_PER_USER: '2',
    });
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it('rooms joined per socket', async () => {
    const [ann, bob] = [await connect('ann'), await connect('bob')];
    await bob.request({ type: 'room.join', room: 'r4' });
    for (const room of ['r1', 'r2', 'r3']) expect((await ann.request({ type: 'room.join', room })).type).toBe('room.joined');
    expect(await ann.request({ type: 'room.join', room: 'r4' })).toMatchObject(quota('room'));
    expect((await ann.request({ type: 'room.join', room: 'r1', since: 0 })).type).toBe('room.joined');
    expect(await ann.request({ type: 'chat.send', room: 'r4', text: 'in?' })).toMatchObject({ code: 'not_joined' });
    await bob.request({ type: 'chat.send', room: 'r4', text: 'marker' });
    expect(bob.frames.filter((f) => f.type === 'presence.join')).toEqual([]);
    await ann.request({ type: 'room.leave', room: 'r1' });
    expect((await ann.request({ type: 'room.join', room: 'r4' })).members.sort()).toEqual(['ann', 'bob']);

    // Joins sent together cannot pass the limit together.
    const cid = await connect('cid');
    const replies = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((room) => cid.request({ type: 'room.join', room })));
    expect(replies.map((r) => r.type).sort()).toEqual(['error', 'error', 'room.joined', 'room.joined', 'room.joined']);
  });

  it('documents open per socket', async () => {
    const ann = await connect('ann');
    await ann.request({ type: 'doc.open', doc: 'd1' });
    await ann.request({ type: 'doc.open', doc: 'd2' });
    expect(await ann.request({ type: 'doc.open', doc: 'd3' })).toMatchObject(quota('doc'));
    expect((await ann.request({ type: 'doc.open', doc: 'd2' })).type).toBe('doc.snapshot');
    await ann.request({ type: 'doc.close', doc: 'd1' });
    expect((await ann.request({ type: 'doc.open', doc: 'd3' })).type).toBe('doc.snapshot');
  });

  it('characters per document, and formats per op', async () => {
    const [ann, bob] = [await connect('ann'), await connect('bob')];
    await ann.request({ type: 'doc.open', doc: 'small' });
    await bob.request({ type: 'doc.open', doc: 'small' });
    expect((await ann.request({ type: 'doc.op', doc: 'small', version: 0, op: { ops: [{ insert: 'fifteen chars!!' }] } })).version).toBe(1);
    expect(await ann.request({ type: 'doc.op', doc: 'small', version: 1, op: { ops: [{ insert: 'ten more..' }] } })).toMatchObject(quota('op'));
    // Deleting is always allowed; then there is room again.
    expect((await ann.request({ type: 'doc.op', doc: 'small', version: 1, op: { ops: [{ delete: 5 }] } })).version).toBe(2);
    expect((await ann.request({ type: 'doc.op', doc: 'small', version: 2, op: { ops: [{ insert: 'ten more..' }] } })).version).toBe(3);
    await bob.next((f) => f.type === 'doc.op' && f.version === 3);
    expect(bob.frames.filter((f) => f.type === 'doc.op').map((f) => f.version)).toEqual([1, 2]);

    const formats = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`f${i}`, true]));
    expect(await ann.request({ type: 'doc.op', doc: 'small', version: 3, op: { ops: [{ retain: 2, attributes: formats }] } })).toMatchObject({ code: 'bad_request', path: 'op.ops.0.attributes' });
    expect(await ann.request({ type: 'doc.op', doc: 'small', version: 3, op: { ops: [{ retain: 2, attributes: { link: 'x'.repeat(3000) } }] } })).toMatchObject({ code: 'bad_request', path: 'op.ops.0.attributes.link' });
    expect((await ann.request({ type: 'doc.open', doc: 'small' })).version).toBe(3);
  });

  it('fences and devices per user', async () => {
    const [ann, ann2] = [await connect('fenced'), await connect('fenced')];
    await ann.request({ type: 'fence.create', fence: { id: 'f1', name: 'one', shape: circle(1) } });
    await ann.request({ type: 'fence.create', fence: { id: 'f2', name: 'two', shape: circle(2) } });
    expect(await ann2.request({ type: 'fence.create', fence: { id: 'f3', name: 'three', shape: circle(3) } })).toMatchObject(quota('fence'));
    // Replacing one's own fence adds nothing.
    expect((await ann.request({ type: 'fence.create', fence: { id: 'f2', name: 'two again', shape: circle(2.5) } })).type).toBe('fence.created');
    await ann.request({ type: 'fence.delete', id: 'f1' });
    expect((await ann2.request({ type: 'fence.create', fence: { id: 'f3', name: 'three', shape: circle(3) } })).type).toBe('fence.created');
    expect((await ann.request({ type: 'fence.list' })).fences.map((f: Frame) => f.id).sort()).toEqual(['f2', 'f3']);

    for (const device of ['dev-1', 'dev-2']) expect((await ann.request({ type: 'location.update', device, lat: 0, lng: 1 })).type).toBe('location.ack');
    expect(await ann2.request({ type: 'location.update', device: 'dev-3', lat: 0, lng: 1 })).toMatchObject(quota('device'));
    expect((await ann.request({ type: 'location.update', device: 'dev-1', lat: 0, lng: 2 })).type).toBe('location.ack');
    // dev-3 was never taken: another user may have it.
    expect((await (await connect('other')).request({ type: 'location.update', device: 'dev-3', lat: 0, lng: 1 })).type).toBe('location.ack');
  });

  it('sockets per user: the third is refused at the upgrade (HTTP 429) until one closes', async () => {
    const [a, b] = [await connect('busy'), await connect('busy')];
    await expect(Client.connect(server.url('user=busy'))).rejects.toThrow('HTTP 429');
    a.close();
    await a.closed;
    await new Promise((r) => setTimeout(r, 100));
    const c = await connect('busy');
    expect((await c.request({ type: 'ping' })).type).toBe('pong');
    b.close();
  });
});

describe('connection attempts per address', () => {
  it('refuses a burst past twice the rate with HTTP 429, and lets the address in again a second later', async () => {
    const server = await startServer({ RUSHER_MAX_CONNECTS_PER_IP: '2' });
    const open = await Promise.all(Array.from({ length: 4 }, (_, i) => Client.connect(server.url(`user=u${i}`))));
    await expect(Client.connect(server.url('user=u5'))).rejects.toThrow('HTTP 429');
    await new Promise((r) => setTimeout(r, 1100));
    open.push(await Client.connect(server.url('user=u6')));
    open.forEach((c) => c.close());
    expect(await server.stop()).toBe(0);
  });
});

describe('replies larger than a socket may buffer', () => {
  it('refuses a snapshot past half the buffer (too_large, the doc not opened) and a reply past the buffer', async () => {
    const server = await startServer({ RUSHER_MAX_BACKPRESSURE: String(64 * 1024), RUSHER_MAX_DOC_CHARS: '0' });
    const [writer, reader] = [await Client.connect(server.url('user=writer')), await Client.connect(server.url('user=reader'))];
    await writer.request({ type: 'doc.open', doc: 'big' });
    for (let v = 0; v < 8; v++) await writer.request({ type: 'doc.op', doc: 'big', version: v, op: { ops: [{ insert: 'x'.repeat(5000) }] } });
    expect(await reader.request({ type: 'doc.open', doc: 'big' })).toMatchObject({ type: 'error', code: 'too_large', path: 'doc' });
    await writer.request({ type: 'doc.op', doc: 'big', version: 8, op: { ops: [{ insert: 'y' }] } });
    // Not opened: the reader gets no ops, and may still open it from a recent version.
    expect((await reader.request({ type: 'doc.open', doc: 'big', version: 8 })).type).toBe('doc.opened');
    expect(reader.frames.filter((f) => f.type === 'doc.op').map((f) => f.version)).toEqual([9]);

    // 40 fences of 100 corners: each reply fits, the list of all does not.
    const ring = (k: number) => Array.from({ length: 100 }, (_, i) => [k + 0.1 * Math.cos((i / 100) * 2 * Math.PI), 0.1 * Math.sin((i / 100) * 2 * Math.PI)]);
    for (let k = 0; k < 40; k++) {
      const r = ring(k);
      await writer.request({ type: 'fence.create', fence: { id: `p${k}`, name: `p${k}`, shape: { type: 'Polygon', coordinates: [[...r, r[0]]] } } });
    }
    expect(await writer.request({ type: 'fence.list' })).toMatchObject({ type: 'error', code: 'too_large' });
    expect((await writer.request({ type: 'ping' })).type).toBe('pong');
    writer.close();
    reader.close();
    expect(await server.stop()).toBe(0);
  });
});
