// The store's contract, the same on both engines: what a batch commits is read back as
// it was written, a batch commits whole or not at all, and writers sharing one database
// are ordered by its keys (a room's seq, a document's version).
import Delta from 'quill-delta';
import type { Store } from '../src/io/store';
import type { DeviceWrite, Write } from '../src/domain/writes';
import type { FenceEvent, Stay } from '../src/domain/geo/transitions';
import { STORES } from './support/stores';

// The compiled store: on a file, SQLite's writer runs on a worker thread, which loads
// its script (writer-thread.js) from beside the store's own module.
const { openStore, Conflict } = require('../dist/src/io/store') as typeof import('../src/io/store');

jest.setTimeout(30_000);

const message = (room: string, seq: number, text = `m${seq}`): Write => ({ kind: 'message', message: { room, seq, id: `${room}-${seq}`, user: 'ann', text, at: 1_700_000_000_000 + seq } });
const docOp = (doc: string, version: number, op: Delta, id?: string): Write => ({ kind: 'docOp', doc, version, op, user: 'bob', ...(id === undefined ? {} : { id }), at: 1_700_000_000_000 + version });
const event = (e: FenceEvent['event'], fence: string, device: string, at: number): FenceEvent => ({ event: e, fence, device, lat: 1.5, lng: 2.25, at });
const latAt = (at: number) => 1.5 + at / 1e6;
/** A fresh update and the device state it leaves; `stays` undefined: unchanged. */
const location = (device: string, owner: string, at: number, stays?: Record<string, Stay>, events: FenceEvent[] = []): Write => {
  const state: DeviceWrite = { owner, state: { device, lat: latAt(at), lng: -2.25, at, stays: new Map(Object.entries(stays ?? {})) }, stays: stays !== undefined };
  return { kind: 'location', device, user: owner, state, lat: latAt(at), lng: -2.25, at, stale: false, events };
};
const stale = (device: string, at: number): Write => ({ kind: 'location', device, user: 'cid', lat: 0, lng: 0, at, stale: true, events: [] });
const circle = (id: string, owner: string | null, dwellMs?: number): Write => ({
  kind: 'fence',
  fence: { id, name: `Fence ${id}`, shape: { type: 'Circle', center: [2.25, 1.5], radius: 500 }, owner, ...(dwellMs === undefined ? {} : { dwellMs }) },
  at: 1,
  events: [],
  devices: [],
});

describe.each(STORES)('the store on $name', (engine) => {
  const open: Store[] = [];
  const fresh = async (db?: string) => {
    const s = await openStore(db ?? (await engine.fresh()));
    open.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it('reads messages back as written: history pages by seq, rooms with their last seq and recent ids', async () => {
    const store = await fresh();
    const tricky = 'quotes \' " backslash \\ newline \n emoji 🦀 nul-free ü';
    await store.write([message('a', 1), message('b', 1), message('a', 2, tricky), message('a', 3)]);
    await store.write([message('a', 4)]);

    const all = await store.history({ room: 'a', limit: 50 });
    expect(all.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(all[1]).toEqual({ room: 'a', seq: 2, id: 'a-2', user: 'ann', text: tricky, at: 1_700_000_000_002 });
    expect((await store.history({ room: 'a', limit: 2 })).map((m) => m.seq)).toEqual([3, 4]);
    expect((await store.history({ room: 'a', before: 3, limit: 50 })).map((m) => m.seq)).toEqual([1, 2]);
    expect((await store.history({ room: 'a', after: 1, upTo: 3, limit: 50 })).map((m) => m.seq)).toEqual([2, 3]);

    const rooms = await store.rooms(2);
    expect(rooms.get('a')).toEqual({ seq: 4, ids: [['a-3', { seq: 3, at: 1_700_000_000_003 }], ['a-4', { seq: 4, at: 1_700_000_000_004 }]] });
    expect(rooms.get('b')?.seq).toBe(1);
  });

  it('rebuilds a document from its newest usable snapshot and the ops after it', async () => {
    const store = await fresh();
    const ops = [new Delta().insert('Hello'), new Delta().retain(5).insert(', world', { bold: true }), new Delta().retain(12).insert('!\n')];
    await store.write([docOp('d', 1, ops[0], 'op-1'), docOp('d', 2, ops[1])]);
    await store.write([{ kind: 'docSnapshot', doc: 'd', version: 2, content: ops[0].compose(ops[1]) }, docOp('d', 3, ops[2], 'op-3')]);

    const all = await store.loadDoc('d', 10);
    expect(all.version).toBe(0);
    expect(all.ops).toEqual([{ op: ops[0], user: 'bob', id: 'op-1' }, { op: ops[1], user: 'bob' }, { op: ops[2], user: 'bob', id: 'op-3' }]);

    const fromSnapshot = await store.loadDoc('d', 1);
    expect(fromSnapshot.version).toBe(2);
    expect(fromSnapshot.content).toEqual(new Delta().insert('Hello').insert(', world', { bold: true }));
    expect(fromSnapshot.ops.map((a) => a.op)).toEqual([ops[2]]);

    expect(await store.loadDoc('nothing', 10)).toEqual({ version: 0, content: new Delta(), ops: [] });
  });

  it('commits a batch whole or not at all: a taken seq fails it, and nothing of it is stored', async () => {
    const store = await fresh();
    await store.write([message('r', 1)]);
    const failing = store.write([message('other', 1), docOp('d', 1, new Delta().insert('x')), message('r', 1, 'again')]);
    await expect(failing).rejects.toBeInstanceOf(Conflict);
    await expect(failing).rejects.toMatchObject({ table: 'messages' });
    expect(await store.history({ room: 'other', limit: 10 })).toEqual([]);
    expect((await store.loadDoc('d', 10)).ops).toEqual([]);
    expect((await store.history({ room: 'r', limit: 10 })).map((m) => m.text)).toEqual(['m1']);
    // The store goes on.
    await store.write([message('r', 2)]);
    expect((await store.history({ room: 'r', limit: 10 })).map((m) => m.seq)).toEqual([1, 2]);
  });

  it('orders writers sharing one database by version: the second to take a version gets a Conflict and may retry', async () => {
    const db = await engine.fresh();
    // Two processes starting at once on a new database both migrate it.
    const [one, two] = await Promise.all([fresh(db), fresh(db)]);
    await one.write([docOp('shared', 1, new Delta().insert('one'))]);
    const lost = two.write([docOp('shared', 1, new Delta().insert('two'))]);
    await expect(lost).rejects.toBeInstanceOf(Conflict);
    await expect(lost).rejects.toMatchObject({ table: 'doc_ops' });
    // The loser reloads, transforms (here: puts its text after), and takes the next version.
    const seen = await two.loadDoc('shared', 10);
    expect(seen.ops).toHaveLength(1);
    await two.write([docOp('shared', 2, new Delta().retain(3).insert('two'))]);
    const done = await one.loadDoc('shared', 10);
    expect(done.ops.reduce((d, a) => d.compose(a.op), new Delta())).toEqual(new Delta().insert('onetwo'));
  });

  it('keeps fences with their owners, and each device as its writes left it, whether in one batch or several', async () => {
    const store = await fresh();
    await store.write([circle('home', 'ann', 60_000), circle('work', null), circle('gone', 'ann')]);
    const entered = { enteredAt: 10, dwelled: false };
    // One batch, several writes to one device: they apply in order (Postgres takes one row a key a statement).
    await store.write([
      location('van', 'cid', 10, { home: entered, work: entered, gone: entered }, [event('enter', 'home', 'van', 10), event('enter', 'work', 'van', 10)]),
      location('van', 'dan', 20, { home: { enteredAt: 10, dwelled: true }, work: entered, gone: entered }, [event('dwell', 'home', 'van', 20)]),
      // Stays unchanged: the ones before stand.
      location('van', 'dan', 30),
      stale('van', 5),
      location('car', 'eve', 7, {}),
    ]);
    // A later batch: the position moves, the stored stays stand; a replaced fence keeps its owner; a deleted one is gone.
    await store.write([location('van', 'dan', 40), circle('home', 'zed', 60_000), { kind: 'fenceDelete', id: 'gone', events: [], devices: [] }]);

    const fences = await store.fences();
    expect(fences.map((f) => [f.id, f.owner, f.dwellMs])).toEqual([
      ['home', 'ann', 60_000],
      ['work', null, undefined],
    ]);
    expect(fences[0].shape).toEqual({ type: 'Circle', center: [2.25, 1.5], radius: 500 });
    const devices = new Map((await store.devices()).map((d) => [d.state.device, d]));
    expect(devices.get('car')).toEqual({ owner: 'eve', state: { device: 'car', lat: latAt(7), lng: -2.25, at: 7, stays: new Map() } });
    const van = devices.get('van')!;
    // The first reporter owns it; the position is the last fresh one; stays in a deleted fence are dropped.
    expect(van.owner).toBe('cid');
    expect([van.state.lat, van.state.at]).toEqual([latAt(40), 40]);
    expect(van.state.stays).toEqual(new Map([['home', { enteredAt: 10, dwelled: true }], ['work', entered]]));
  });

  it('keeps what was committed across a close and a reopen', async () => {
    const db = await engine.fresh();
    const first = await openStore(db);
    await first.write([message('kept', 1), docOp('kept', 1, new Delta().insert('k'))]);
    await first.close();
    const again = await fresh(db);
    expect((await again.history({ room: 'kept', limit: 10 })).map((m) => m.id)).toEqual(['kept-1']);
    expect((await again.loadDoc('kept', 10)).ops).toHaveLength(1);
    expect(await again.ping()).toBe(true);
  });
});
