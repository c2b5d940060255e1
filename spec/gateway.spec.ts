// The socket edge over the real server: slow readers and silent sockets are cut off,
// so memory stays bounded, and the others carry on.
import WebSocket from 'ws';
import { Client, Frame, Server, startServer } from './support/server';

jest.setTimeout(60_000);

describe('gateway', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer({ RUSHER_MAX_BACKPRESSURE: String(1024 * 1024), RUSHER_HEARTBEAT: '4' });
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it('closes a socket that stops reading once its buffer passes the limit, and keeps serving the room', async () => {
    const slow = await Client.connect(server.url('user=slow'));
    const fine = await Client.connect(server.url('user=fine'));
    const writer = await Client.connect(server.url('user=writer'));
    for (const c of [slow, fine, writer]) await c.request({ type: 'room.join', room: 'flood' });
    // The slow client's process stops reading: the kernel's buffers fill, then uWS's.
    const socketOf = (c: Client) => (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socketOf(slow).pause();
    // Waves small enough that a reader that keeps up never has a limit's worth waiting.
    const text = 'x'.repeat(3000);
    for (let wave = 0; wave < 30; wave++) {
      const acks = Array.from({ length: 100 }, () => writer.request({ type: 'chat.send', room: 'flood', text }, 20_000));
      await Promise.all(acks);
    }
    await fine.next((f) => f.type === 'chat.message' && f.seq === 3000, 20_000);
    socketOf(slow).resume();
    await slow.closed;
    expect(fine.frames.filter((f) => f.type === 'chat.message')).toHaveLength(2999);
    // The slow user has left the room; the others are in it and can go on.
    const late = await Client.connect(server.url('user=late'));
    expect((await late.request({ type: 'room.join', room: 'flood' })).members.sort()).toEqual(['fine', 'late', 'writer']);
    [fine, writer, late].forEach((c) => c.close());
  });

  it('closes a socket that answers no ping and sends nothing for twice the heartbeat', async () => {
    const silent = new WebSocket(server.url('user=silent'), { autoPong: false });
    const code = await new Promise<number>((resolve) => silent.on('close', (c) => resolve(c)));
    // Closed by the server (uWS ends it without a close frame), not by us.
    expect(code).not.toBe(1000);
    // A socket that answers pings stays.
    const alive = await Client.connect(server.url('user=alive'));
    await new Promise((r) => setTimeout(r, 10_000));
    expect((await alive.request({ type: 'ping' })).type).toBe('pong');
    alive.close();
  });

  it('refuses text with a lone surrogate (it could not be stored as sent), and stores nothing', async () => {
    const c = await Client.connect(server.url('user=surrogate'));
    await c.request({ type: 'room.join', room: 'text' });
    const lone = await new Promise<Frame>((resolve) => {
      c.next((f) => f.ref === 'lone').then(resolve);
      c.send('{"type":"chat.send","ref":"lone","room":"text","text":"half \\ud83d of a smile"}');
    });
    expect(lone).toMatchObject({ type: 'error', code: 'bad_request', path: 'text' });
    // A whole pair, escaped or not, is text like any other.
    const pair = await new Promise<Frame>((resolve) => {
      c.next((f) => f.ref === 'pair').then(resolve);
      c.send('{"type":"chat.send","ref":"pair","room":"text","text":"a \\ud83d\\ude00 smile"}');
    });
    expect(pair.type).toBe('chat.ack');
    expect((await c.request({ type: 'room.history', room: 'text' })).messages.map((m: Frame) => m.text)).toEqual(['a 😀 smile']);
    c.close();
  });

  it('closes a socket that sends invalid UTF-8 in a text frame (uWS checks it), and changes nothing', async () => {
    const c = await Client.connect(server.url('user=bytes'));
    await c.request({ type: 'room.join', room: 'bytes' });
    c.ws.send(Buffer.from('{"type":"chat.send","room":"bytes","text":"\xc3\x28"}', 'latin1'), { binary: false });
    expect((await c.closed).code).not.toBe(1000);
    const other = await Client.connect(server.url('user=other'));
    expect((await other.request({ type: 'room.history', room: 'bytes' })).messages).toEqual([]);
    other.close();
  });

  it('drops a socket that sends a frame far over the limit (uWS does not read it)', async () => {
    const c = await Client.connect(server.url('user=huge'));
    c.send({ type: 'chat.send', room: 'x', text: 'y'.repeat(2 * 1024 * 1024) });
    expect((await c.closed).code).not.toBe(1000);
    const other = await Client.connect(server.url('user=other'));
    expect((await other.request({ type: 'ping' })).type).toBe('pong');
    other.close();
  });
});
