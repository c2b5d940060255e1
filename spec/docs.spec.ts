// Collaborative documents over the real server: real uWS, a real SQLite file or Postgres
// database, `ws` clients.
import Delta from 'quill-delta';
import { Client, Frame, Server, startServer } from './support/server';
import { STORES } from './support/stores';
import { Editor } from './support/editor';
import { int, pick, seeded } from './support/random';
import { randomEdit } from './support/random-delta';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const snapshotOf = async (server: Server, doc: string): Promise<Frame> => {
  const c = await Client.connect(server.url('user=reader'));
  const snap = await c.request({ type: 'doc.open', doc });
  c.close();
  return snap;
};

/** Waits until every editor has seen `version` (its own acks and everyone's ops). */
const caughtUp = async (editors: Editor[], version: number) => {
  for (let i = 0; i < 500 && editors.some((e) => e.ot.version < version); i++) await sleep(10);
};

describe.each(STORES)('documents on $name', (store) => {
  let server: Server;
  const clients: Client[] = [];
  const connect = async (user: string) => {
    const c = await Client.connect(server.url(`user=${user}`));
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startServer({ RUSHER_DOC_KEEP: '5' }, await store.fresh());
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it('opens an unknown document empty, and shares ops, acks and cursors between editors', async () => {
    const ann = await connect('ann');
    const bob = await connect('bob');
    expect(await ann.request({ type: 'doc.open', doc: 'notes' })).toEqual({ type: 'doc.snapshot', ref: expect.any(String), doc: 'notes', version: 0, content: { ops: [] } });
    await bob.request({ type: 'doc.open', doc: 'notes' });

    const ack = await ann.request({ type: 'doc.op', doc: 'notes', version: 0, op: { ops: [{ insert: 'Hello', attributes: { bold: true } }] }, id: 'ann-1' });
    expect(ack).toEqual({ type: 'doc.ack', ref: expect.any(String), doc: 'notes', version: 1, id: 'ann-1' });
    expect(await bob.next((f) => f.type === 'doc.op')).toEqual({
      type: 'doc.op', doc: 'notes', version: 1, op: { ops: [{ insert: 'Hello', attributes: { bold: true } }] }, user: 'ann', id: 'ann-1',
    });
    // Bob's op was made on version 0, beside ann's: it goes after hers (she committed first).
    expect(await bob.request({ type: 'doc.op', doc: 'notes', version: 0, op: { ops: [{ insert: ' world' }] } })).toMatchObject({ type: 'doc.ack', version: 2 });
    expect(await ann.next((f) => f.type === 'doc.op')).toMatchObject({ version: 2, op: { ops: [{ retain: 5 }, { insert: ' world' }] }, user: 'bob' });

    // Made on version 2, the cursor moves over ann's insert at 0 (version 3).
    await ann.request({ type: 'doc.op', doc: 'notes', version: 2, op: { ops: [{ insert: '>' }] } });
    bob.send({ type: 'doc.cursor', doc: 'notes', version: 2, range: { index: 2, length: 3 } });
    expect(await ann.next((f) => f.type === 'doc.cursor')).toEqual({ type: 'doc.cursor', doc: 'notes', user: 'bob', range: { index: 3, length: 3 } });
    expect(bob.frames.filter((f) => f.type === 'doc.cursor')).toEqual([]);

    await bob.next((f) => f.type === 'doc.op' && f.version === 3);
    expect(await bob.request({ type: 'doc.close', doc: 'notes' })).toMatchObject({ type: 'doc.closed', doc: 'notes' });
    await ann.request({ type: 'doc.op', doc: 'notes', version: 3, op: { ops: [{ retain: 12 }, { insert: '!' }] } });
    expect((await bob.request({ type: 'doc.op', doc: 'notes', version: 4, op: { ops: [{ insert: '?' }] } })).code).toBe('not_open');
    expect(bob.frames.filter((f) => f.type === 'doc.op')).toEqual([]);
    expect((await snapshotOf(server, 'notes')).content).toEqual({ ops: [{ insert: '>' }, { insert: 'Hello', attributes: { bold: true } }, { insert: ' world!' }] });
  });

  it('catches a reconnecting editor up with exactly the ops it missed', async () => {
    const ann = await connect('ann');
    await ann.request({ type: 'doc.open', doc: 'resume' });
    for (let v = 0; v < 3; v++) await ann.request({ type: 'doc.op', doc: 'resume', version: v, op: { ops: [{ insert: String(v) }] } });
    const back = await connect('bob');
    const ref = 'reopen';
    back.send({ type: 'doc.open', ref, doc: 'resume', version: 1 });
    const opened = await back.next((f) => f.type === 'doc.opened');
    expect(opened).toEqual({ type: 'doc.opened', ref, doc: 'resume', version: 3 });
    expect(back.frames.filter((f) => f.type === 'doc.op').map((f) => [f.version, f.op.ops[0].insert])).toEqual([[2, '1'], [3, '2']]);
  });

  it('answers bad input with the protocol errors and changes nothing', async () => {
    const c = await connect('fuzzer');
    await c.request({ type: 'doc.open', doc: 'bad' });
    await c.request({ type: 'doc.op', doc: 'bad', version: 0, op: { ops: [{ insert: 'abc' }] } });
    for (let v = 1; v < 8; v++) await c.request({ type: 'doc.op', doc: 'bad', version: v, op: { ops: [{ retain: 1 }, { insert: 'x' }] } });
    const cases: [string, object, string, string?][] = [
      ['an op on a doc not open', { type: 'doc.op', doc: 'other', version: 0, op: { ops: [{ insert: 'x' }] } }, 'not_open', 'doc'],
      ['a cursor on a doc not open', { type: 'doc.cursor', doc: 'other', version: 0, range: { index: 0, length: 0 } }, 'not_open', 'doc'],
      ['a version ahead of the server', { type: 'doc.op', doc: 'bad', version: 99, op: { ops: [{ insert: 'x' }] } }, 'bad_version'],
      ['a version no longer kept', { type: 'doc.op', doc: 'bad', version: 1, op: { ops: [{ insert: 'x' }] } }, 'stale_version'],
      ['a reopen from a version no longer kept', { type: 'doc.open', doc: 'bad', version: 0 }, 'stale_version'],
      ['a reopen from a version ahead', { type: 'doc.open', doc: 'bad', version: 50 }, 'bad_version'],
      ['an op past the end', { type: 'doc.op', doc: 'bad', version: 8, op: { ops: [{ retain: 11 }, { insert: 'x' }] } }, 'bad_request', 'op'],
      ['a delete past the end', { type: 'doc.op', doc: 'bad', version: 8, op: { ops: [{ delete: 11 }] } }, 'bad_request', 'op'],
      ['an op that is not a delta', { type: 'doc.op', doc: 'bad', version: 8, op: [1, 2] }, 'bad_request', 'op'],
      ['an op with two kinds', { type: 'doc.op', doc: 'bad', version: 8, op: { ops: [{ insert: 'x', retain: 1 }] } }, 'bad_request', 'op.ops.0'],
      ['a negative retain', { type: 'doc.op', doc: 'bad', version: 8, op: { ops: [{ retain: -1 }] } }, 'bad_request', 'op.ops.0.retain'],
      ['a bad format value', { type: 'doc.op', doc: 'bad', version: 8, op: { ops: [{ insert: 'x', attributes: { bold: [1] } }] } }, 'bad_request', 'op.ops.0.attributes.bold'],
      ['a missing version', { type: 'doc.op', doc: 'bad', op: { ops: [] } }, 'bad_request', 'version'],
      ['a bad doc id', { type: 'doc.open', doc: 'no spaces' }, 'bad_request', 'doc'],
      ['a cursor without a range', { type: 'doc.cursor', doc: 'bad', version: 8 }, 'bad_request', 'range'],
    ];
    for (const [name, frame, code, path] of cases) {
      const e = await c.request(frame);
      expect({ name, type: e.type, code: e.code, path: e.path }).toEqual({ name, type: 'error', code, path });
    }
    expect(await snapshotOf(server, 'bad')).toMatchObject({ version: 8, content: { ops: [{ insert: 'axxxxxxxbc' }] } });
  });
});

describe.each(STORES)('document convergence through the server on $name', (store) => {
  const seed = Number(process.env.RUSHER_OT_SEED ?? Date.now() % 100_000);

  it(`brings 6 concurrent editors and the stored document to the same content (seed ${seed})`, async () => {
    const rng = seeded(seed);
    const db = await store.fresh();
    let server = await startServer({}, db);
    const editors = await Promise.all(Array.from({ length: 6 }, (_, i) => Editor.open(server.url(`user=e${i}`), 'race', `e${i}`)));
    try {
      // Rounds in which every editor edits at once (so their ops cross on the wire, made
      // on versions the others are about to move past), between random extra edits that
      // pile up behind an op in flight; now and then everyone waits for their acks.
      for (let round = 0; round < 60; round++) {
        for (const e of editors) e.edit(randomEdit(rng, e.content.length()));
        for (let extra = int(rng, 0, 6); extra > 0; extra--) {
          const e = pick(rng, editors);
          e.edit(randomEdit(rng, e.content.length()));
        }
        if (rng() < 0.3) await Promise.all(editors.map((e) => e.settled()));
        else await sleep(int(rng, 0, 3));
      }
      await Promise.all(editors.map((e) => e.settled()));
      const server1 = await snapshotOf(server, 'race');
      await caughtUp(editors, server1.version);
      for (const e of editors) {
        expect(e.errors).toEqual([]);
        expect({ name: e.name, version: e.ot.version, content: e.content }).toEqual({ name: e.name, version: server1.version, content: new Delta(server1.content.ops) });
      }
      // The run is only worth something if many ops crossed on the wire.
      expect(editors.reduce((n, e) => n + e.crossed, 0)).toBeGreaterThan(20);
      // Acks were gap-free and each version was acked to one editor only.
      expect(editors.flatMap((e) => e.acked).sort((a, b) => a - b)).toEqual(Array.from({ length: server1.version }, (_, i) => i + 1));

      editors.forEach((e) => e.close());
      expect(await server.stop()).toBe(0);
      server = await startServer({}, db);
      expect(await snapshotOf(server, 'race')).toEqual({ ...server1, ref: expect.any(String) });
    } catch (e) {
      throw new Error(`convergence failed with seed ${seed} (rerun with RUSHER_OT_SEED=${seed}): ${(e as Error).message}`);
    } finally {
      editors.forEach((e) => e.close());
      await server.stop();
    }
  });

  it('keeps every acked op when the server is killed with -9 mid-edit', async () => {
    const db = await store.fresh();
    const server = await startServer({}, db);
    const editors = await Promise.all(Array.from({ length: 4 }, (_, i) => Editor.open(server.url(`user=k${i}`), 'crash', `k${i}`)));
    const rng = seeded(7);
    let running = true;
    const typing = editors.map(async (e) => {
      while (running) {
        e.edit(new Delta().insert(`${e.name}:${int(rng, 0, 9)} `));
        await sleep(1);
      }
    });
    // Killed once enough is acked (a loaded machine acks slowly), while the editors still type.
    const ackedSoFar = () => Math.max(0, ...editors.flatMap((e) => e.acked));
    for (let waited = 0; ackedSoFar() <= 50 && waited < 30_000; waited += 50) await sleep(50);
    await sleep(200);
    await server.kill9();
    running = false;
    await Promise.all(typing);
    const acked = ackedSoFar();
    expect(acked).toBeGreaterThan(50);
    // Keep every op in memory, so a reopen from version 0 replays them all.
    const again = await startServer({ RUSHER_DOC_KEEP: '1000000' }, db);
    const stored = await snapshotOf(again, 'crash');
    expect(stored.version).toBeGreaterThanOrEqual(acked);
    const c = await Client.connect(again.url('user=check'));
    c.send({ type: 'doc.open', ref: 'r', doc: 'crash', version: 0 });
    await c.next((f) => f.type === 'doc.opened');
    const replayed = c.frames.filter((f) => f.type === 'doc.op');
    expect(replayed.map((f) => f.version)).toEqual(Array.from({ length: stored.version }, (_, i) => i + 1));
    // Each acked version holds the op of the editor it was acked to.
    const lost = editors.flatMap((e) => e.acked.filter((v) => !String(replayed[v - 1]?.id).startsWith(`${e.name}-`)).map((v) => `${e.name}@${v}`));
    expect(lost).toEqual([]);
    c.close();
    editors.forEach((e) => e.close());
    expect(await again.stop()).toBe(0);
  });
});
