// What survives: restarts, SIGTERM with work in flight, and kill -9.
import { spawnSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import { Client, Frame, startServer, tempDb } from './support/server';
import { STORES } from './support/stores';

jest.setTimeout(90_000);

const allHistory = async (c: Client, room: string): Promise<Frame[]> => {
  const out: Frame[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await c.request({ type: 'room.history', room, limit: 200, ...(before === undefined ? {} : { before }) });
    out.unshift(...page.messages);
    if (page.messages.length < 200) return out;
    before = page.messages[0].seq;
  }
};

describe.each(STORES)('durability on $name', (store) => {
  it('keeps history and seq across a restart', async () => {
    const db = await store.fresh();
    let server = await startServer({}, db);
    let c = await Client.connect(server.url('user=ann'));
    await c.request({ type: 'room.join', room: 'kept' });
    for (let i = 1; i <= 60; i++) await c.request({ type: 'chat.send', room: 'kept', text: `before ${i}`, id: `id-${i}` });
    c.close();
    expect(await server.stop()).toBe(0);

    server = await startServer({}, db);
    c = await Client.connect(server.url('user=ann'));
    const joined = await c.request({ type: 'room.join', room: 'kept' });
    expect(joined.history.map((m: Frame) => m.text)).toEqual(Array.from({ length: 50 }, (_, i) => `before ${i + 11}`));
    // A resend from before the restart is still recognised; new messages continue the seq.
    expect(await c.request({ type: 'chat.send', room: 'kept', text: 'before 60', id: 'id-60' })).toMatchObject({ seq: 60 });
    expect(await c.request({ type: 'chat.send', room: 'kept', text: 'after' })).toMatchObject({ seq: 61 });
    c.close();
    expect(await server.stop()).toBe(0);
  });

  it('loses no acked message when the server is killed with -9 while clients send', async () => {
    const db = await store.fresh();
    const server = await startServer({}, db);
    const senders = await Promise.all([1, 2, 3, 4].map((i) => Client.connect(server.url(`user=k${i}`))));
    await Promise.all(senders.map((s) => s.request({ type: 'room.join', room: 'crash' })));
    const acked = new Map<string, number>();
    let running = true;
    const loops = senders.map(async (s, i) => {
      for (let n = 0; running; n++) {
        const id = `k${i}-${n}`;
        // Pipelined: 20 in flight per sender, so batches are large when the kill lands.
        const replies = await Promise.allSettled(
          Array.from({ length: 20 }, (_, j) => s.request({ type: 'chat.send', room: 'crash', text: `${id}-${j}`, id: `${id}-${j}` }, 3000)),
        );
        for (const r of replies) if (r.status === 'fulfilled' && r.value.type === 'chat.ack') acked.set(r.value.id, r.value.seq);
        if (replies.some((r) => r.status === 'rejected')) return;
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    await server.kill9();
    running = false;
    await Promise.all(loops);
    expect(acked.size).toBeGreaterThan(100);

    const again = await startServer({}, db);
    const reader = await Client.connect(again.url('user=reader'));
    const stored = await allHistory(reader, 'crash');
    const byId = new Map(stored.map((m) => [m.id, m.seq]));
    const lost = [...acked].filter(([id, seq]) => byId.get(id) !== seq);
    expect(lost).toEqual([]);
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
    // Seq continues after the last stored message, with no gap.
    await reader.request({ type: 'room.join', room: 'crash' });
    expect(await reader.request({ type: 'chat.send', room: 'crash', text: 'after the crash' })).toMatchObject({ seq: stored.length + 1 });
    reader.close();
    expect(await again.stop()).toBe(0);
  });

  it('on SIGTERM commits what was accepted, then exits 0', async () => {
    const db = await store.fresh();
    const server = await startServer({ RUSHER_BATCH_MS: '50' }, db);
    const c = await Client.connect(server.url('user=term'));
    await c.request({ type: 'room.join', room: 'term' });
    for (let i = 0; i < 200; i++) c.send({ type: 'chat.send', room: 'term', text: `t${i}`, id: `t${i}` });
    await c.request({ type: 'ping' });
    expect(await server.stop()).toBe(0);

    const again = await startServer({}, db);
    const reader = await Client.connect(again.url('user=reader'));
    expect((await allHistory(reader, 'term')).map((m) => m.text)).toEqual(Array.from({ length: 200 }, (_, i) => `t${i}`));
    reader.close();
    await again.stop();
  });
});

describe('starting', () => {
  it('refuses to start, with a clear message, when the port is taken or the store is unreadable', async () => {
    const server = await startServer();
    const main = path.join(__dirname, '..', 'dist', 'src', 'main.js');
    const taken = spawnSync(process.execPath, [main], { env: { ...process.env, PORT: String(server.port), HOST: '127.0.0.1', RUSHER_DB: tempDb() }, encoding: 'utf8' });
    expect(taken.status).not.toBe(0);
    expect(taken.stderr).toMatch(/cannot start: cannot listen on 127\.0\.0\.1:\d+/);
    const unreadable = spawnSync(process.execPath, [main], { env: { ...process.env, PORT: '0', RUSHER_DB: '/proc/version/nope.db' }, encoding: 'utf8' });
    expect(unreadable.status).not.toBe(0);
    expect(unreadable.stderr).toMatch(/cannot start/);
    // Nothing listens on port 1: the Postgres store cannot connect.
    const unreachable = spawnSync(process.execPath, [main], { env: { ...process.env, PORT: '0', RUSHER_DB: 'postgres://rusher:secret@127.0.0.1:1/rusher' }, encoding: 'utf8' });
    expect(unreachable.status).not.toBe(0);
    expect(unreachable.stderr).toMatch(/cannot start: .*ECONNREFUSED/);
    expect(unreachable.stderr).not.toContain('secret');
    await server.stop();
  });

  it('moves the WAL into the database file while it runs, not when a commit crosses 1,000 pages', async () => {
    const db = tempDb();
    const server = await startServer({}, db);
    const before = fs.statSync(db).size;
    const c = await Client.connect(server.url('user=wal'));
    try {
      await c.request({ type: 'room.join', room: 'wal' });
      // About 300 WAL pages: under the writer's own threshold (16,384), so only the
      // checkpoint thread copies them into the file.
      const text = 'x'.repeat(400);
      for (let i = 0; i < 20; i++) await Promise.all(Array.from({ length: 100 }, () => c.request({ type: 'chat.send', room: 'wal', text })));
      let grown = false;
      for (let tries = 0; tries < 100 && !grown; tries++) {
        await new Promise((r) => setTimeout(r, 100));
        grown = fs.statSync(db).size > before + 400 * 1000;
      }
      expect(grown).toBe(true);
    } finally {
      c.close();
      // A failed expectation must not leave the server running.
      expect(await server.stop()).toBe(0);
    }
  });
});
