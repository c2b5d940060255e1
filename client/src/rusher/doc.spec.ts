import Delta from 'quill-delta';
import { defer, distinctUntilChanged, filter, map } from 'rxjs';
import { Rusher, createRusher } from './client';
import { Doc, DocChange, DocStatus } from './doc';
import { DeltaJson, Outgoing } from './frames';
import { FakeServer, FakeSocket } from './testing/fake-server';
import { BACKOFF, URL, counter, newScheduler, play } from './testing/marbles';

/** Answers a first `doc.open` with a snapshot of `content` at `version`. */
const snapshots = (version: number, content: DeltaJson) => (f: Outgoing, socket: FakeSocket) => {
  if (f.type === 'doc.open' && f.version === undefined) socket.push({ type: 'doc.snapshot', ref: f.ref, doc: f.doc, version, content });
};

const setup = (server: FakeServer, scheduler: ReturnType<typeof newScheduler>): Rusher =>
  createRusher({ url: URL, WebSocketCtor: server.WebSocketCtor, scheduler, backoff: BACKOFF, newId: counter() });

const docFrames = (server: FakeServer) => server.sent$.pipe(filter((f) => f.type.startsWith('doc.')));
const describeStatus = (s: DocStatus) => `${s.status} ${s.version}${s.pending ? ' pending' : ''}`;
const describeChange = (c: DocChange) => (c.kind === 'reset' ? `reset ${JSON.stringify(c.content.ops)}` : `${c.user} ${JSON.stringify(c.delta.ops)}`);

describe('a document across reconnects', () => {
  it('reopens with its version, applies what it missed, and resends its op in flight under the same id', () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    server.onConnect = (socket) => socket.accept();
    const open = snapshots(2, { ops: [{ insert: 'ab' }] });
    server.respond = (f, socket) => {
      open(f, socket);
      if (server.sockets.length < 2) return;
      // Back after the drop: bob's op, committed meanwhile, then the doc is open again;
      // ours never reached the first socket's server side, so it is committed now.
      if (f.type === 'doc.open' && f.version === 2) {
        socket.push({ type: 'doc.op', doc: 'd', version: 3, op: { ops: [{ retain: 2 }, { insert: 'Z' }] }, user: 'bob', id: 'b1' });
        socket.push({ type: 'doc.opened', ref: f.ref, doc: 'd', version: 3 });
      }
      if (f.type === 'doc.op') socket.push({ type: 'doc.ack', ref: f.ref, doc: 'd', version: 4, id: f.id });
    };
    let doc!: Doc;
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(docFrames(server)).toBe('a 9ms b 1009ms (cd)', {
        a: { type: 'doc.open', doc: 'd', ref: 1 },
        b: { type: 'doc.op', doc: 'd', version: 2, op: { ops: [{ insert: 'X' }] }, id: 'id1', ref: 2 },
        c: { type: 'doc.open', doc: 'd', version: 2, ref: 3 },
        d: { type: 'doc.op', doc: 'd', version: 3, op: { ops: [{ insert: 'X' }] }, id: 'id1', ref: 4 },
      });
      expectObservable(defer(() => doc.changes$).pipe(map(describeChange))).toBe('a 1019ms b', {
        a: 'reset [{"insert":"ab"}]',
        // bob's insert, moved past our X.
        b: 'bob [{"retain":3},{"insert":"Z"}]',
      });
      expectObservable(defer(() => doc.status$).pipe(map(describeStatus), distinctUntilChanged())).toBe('(ab) 6ms c 9ms d 999ms (efg) 995ms h', {
        a: 'opening 0',
        b: 'open 2',
        c: 'open 2 pending',
        d: 'offline 2 pending',
        e: 'offline 3 pending',
        f: 'open 3 pending',
        g: 'open 4',
        h: 'offline 4',
      });
      const rusher = setup(server, scheduler);
      doc = rusher.doc('d');
      play(cold, '10ms e 9ms x 1999ms c', { e: () => doc.edit(new Delta().insert('X')), x: () => server.last.drop(), c: () => rusher.close() });
    });
    expect(doc.content?.ops).toEqual([{ insert: 'XabZ' }]);
  });

  it('takes its own op, replayed with its id, for the ack and does not send it again', () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    server.onConnect = (socket) => socket.accept();
    const open = snapshots(2, { ops: [{ insert: 'ab' }] });
    server.respond = (f, socket) => {
      open(f, socket);
      // Our op was committed as version 3 just before the first socket died.
      if (f.type === 'doc.open' && f.version === 2) {
        socket.push({ type: 'doc.op', doc: 'd', version: 3, op: { ops: [{ insert: 'X' }] }, user: 'ada', id: 'id1' });
        socket.push({ type: 'doc.opened', ref: f.ref, doc: 'd', version: 3 });
      }
    };
    let doc!: Doc;
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(docFrames(server).pipe(map((f) => f.type))).toBe('a 9ms b 1009ms c', { a: 'doc.open', b: 'doc.op', c: 'doc.open' });
      expectObservable(defer(() => doc.changes$).pipe(map(describeChange))).toBe('a', { a: 'reset [{"insert":"ab"}]' });
      expectObservable(defer(() => doc.status$).pipe(map(describeStatus), distinctUntilChanged())).toBe('(ab) 6ms c 9ms d 999ms (ef) 996ms g', {
        a: 'opening 0',
        b: 'open 2',
        c: 'open 2 pending',
        d: 'offline 2 pending',
        e: 'offline 3',
        f: 'open 3',
        g: 'offline 3',
      });
      const rusher = setup(server, scheduler);
      doc = rusher.doc('d');
      play(cold, '10ms e 9ms x 1999ms c', { e: () => doc.edit(new Delta().insert('X')), x: () => server.last.drop(), c: () => rusher.close() });
    });
    expect(doc.content?.ops).toEqual([{ insert: 'Xab' }]);
  });

  it('loads a fresh snapshot, and says why, when its version is no longer kept', () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    server.onConnect = (socket) => socket.accept();
    server.respond = (f, socket) => {
      if (f.type !== 'doc.open') return;
      if (f.version !== undefined) socket.push({ type: 'error', ref: f.ref, code: 'stale_version', message: 'version 2 is no longer kept' });
      else socket.push({ type: 'doc.snapshot', ref: f.ref, doc: 'd', version: server.sockets.length === 1 ? 2 : 900, content: { ops: [{ insert: server.sockets.length === 1 ? 'ab' : 'new' }] } });
    };
    let doc!: Doc;
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(docFrames(server)).toBe('a 1019ms (bc)', {
        a: { type: 'doc.open', doc: 'd', ref: 1 },
        b: { type: 'doc.open', doc: 'd', version: 2, ref: 2 },
        c: { type: 'doc.open', doc: 'd', ref: 3 },
      });
      expectObservable(defer(() => doc.changes$)).toBe('a 1019ms b', {
        a: { kind: 'reset', content: new Delta([{ insert: 'ab' }]) },
        b: { kind: 'reset', content: new Delta([{ insert: 'new' }]), reason: 'version 2 is no longer kept' },
      });
      const rusher = setup(server, scheduler);
      doc = rusher.doc('d');
      play(cold, '20ms x 1999ms c', { x: () => server.last.drop(), c: () => rusher.close() });
    });
    expect(doc.content?.ops).toEqual([{ insert: 'new' }]);
  });
});

describe('a document while open', () => {
  it('rebases a live op from someone else over its own edit in flight', () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    server.onConnect = (socket) => socket.accept();
    server.respond = snapshots(1, { ops: [{ insert: 'a' }] });
    let doc!: Doc;
    scheduler.run(({ cold, expectObservable }) => {
      // We insert X at 0 (in flight, version 1); bob's Z at 1 is committed first as 2; our ack says 3.
      expectObservable(docFrames(server).pipe(filter((f) => f.type === 'doc.op'))).toBe('10ms a 19ms b', {
        a: { type: 'doc.op', doc: 'd', version: 1, op: { ops: [{ insert: 'X' }] }, id: 'id1', ref: 2 },
        b: { type: 'doc.op', doc: 'd', version: 3, op: { ops: [{ retain: 3 }, { insert: '!' }] }, id: 'id2', ref: 3 },
      });
      expectObservable(defer(() => doc.changes$).pipe(map(describeChange))).toBe('a 19ms b', {
        a: 'reset [{"insert":"a"}]',
        b: 'bob [{"retain":2},{"insert":"Z"}]',
      });
      const rusher = setup(server, scheduler);
      doc = rusher.doc('d');
      play(cold, '10ms e 9ms z 4ms f 4ms k 9ms c', {
        e: () => doc.edit(new Delta().insert('X')),
        z: () => server.last.push({ type: 'doc.op', doc: 'd', version: 2, op: { ops: [{ retain: 1 }, { insert: 'Z' }] }, user: 'bob', id: 'b1' }),
        f: () => doc.edit(new Delta().retain(3).insert('!')),
        k: () => server.last.push({ type: 'doc.ack', ref: 2, doc: 'd', version: 3, id: 'id1' }),
        c: () => rusher.close(),
      });
    });
    expect(doc.content?.ops).toEqual([{ insert: 'XaZ!' }]);
  });

  it("keeps others' cursors in its own coordinates and sends its own while nothing is pending", () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    server.onConnect = (socket) => socket.accept();
    server.respond = snapshots(5, { ops: [{ insert: 'hello' }] });
    let doc!: Doc;
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(docFrames(server).pipe(filter((f) => f.type === 'doc.cursor'))).toBe('10ms a 19ms b', {
        a: { type: 'doc.cursor', doc: 'd', version: 5, range: { index: 5, length: 0 } },
        b: { type: 'doc.cursor', doc: 'd', version: 6, range: { index: 2, length: 0 } },
      });
      const bob = (r: ReadonlyMap<string, { range: { index: number; length: number } }>) => {
        const c = r.get('bob');
        return c ? `${c.range.index}+${c.range.length}` : '-';
      };
      expectObservable(defer(() => doc.cursors$).pipe(map(bob), distinctUntilChanged()), '^ 100ms !').toBe('a 9ms b 9ms c 19ms a', { a: '-', b: '3+2', c: '5+2' });
      const rusher = setup(server, scheduler);
      doc = rusher.doc('d');
      play(cold, '10ms u 9ms e 4ms m 4ms k 9ms c', {
        // Ours goes at once; bob selects "lo".
        u: () => {
          doc.cursor({ index: 5, length: 0 });
          server.last.push({ type: 'doc.cursor', doc: 'd', user: 'bob', range: { index: 3, length: 2 } });
        },
        // We type two letters at 0: bob's selection moves; our cursor waits for the ack.
        e: () => doc.edit(new Delta().insert('ab')),
        m: () => doc.cursor({ index: 2, length: 0 }),
        k: () => server.last.push({ type: 'doc.ack', ref: 2, doc: 'd', version: 6, id: 'id1' }),
        c: () => rusher.close(),
      });
    });
  });
});
