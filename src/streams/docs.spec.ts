import { TestScheduler } from 'rxjs/testing';
import { Observable, map, mergeMap, tap } from 'rxjs';
import Delta from 'quill-delta';
import { Applied } from '../domain/docs';
import { err } from '../domain/errors';
import { ClientFrame } from '../domain/protocol';
import { Write } from '../domain/writes';
import { commitStage } from './commit';
import { DocsDeps, StoredDoc, docTopic, docs } from './docs';
import { OPEN } from '../domain/authz';
import { Conn, Inbound, publish, replyError, send, subscribe, unavailable, unsubscribe } from './effects';

const ann: Conn = { id: 'a1', user: 'ann', access: OPEN };
const bob: Conn = { id: 'b1', user: 'bob', access: OPEN };
const opened = (conn: Conn): Inbound => ({ kind: 'open', conn });
const frame = (conn: Conn, f: ClientFrame): Inbound => ({ kind: 'frame', conn, frame: f });
const open = (conn: Conn, ref: number, version?: number) =>
  frame(conn, version === undefined ? { type: 'doc.open', ref, doc: 'd' } : { type: 'doc.open', ref, doc: 'd', version });
const edit = (conn: Conn, ref: number, version: number, op: Delta, id?: string) =>
  frame(conn, id === undefined ? { type: 'doc.op', ref, doc: 'd', version, op } : { type: 'doc.op', ref, doc: 'd', version, op, id });

const topic = docTopic('d');
const snapshot = (conn: Conn, ref: number, version: number, content: Delta) => send(conn.id, { type: 'doc.snapshot', doc: 'd', version, content, ref });
const ack = (conn: Conn, ref: number, version: number, id?: string) => send(conn.id, { type: 'doc.ack', ref, doc: 'd', version, ...(id === undefined ? {} : { id }) });
const broadcast = (from: Conn, version: number, op: Delta, id?: string) =>
  publish(topic, { type: 'doc.op', doc: 'd', version, op, user: from.user, ...(id === undefined ? {} : { id }) }, from.id);

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/**
 * A store in virtual time: batches commit `commitFrames` after they close (those numbered
 * in `failing` fail), loads take `loadFrames` and read back what was committed.
 */
const fakeStore = (ts: TestScheduler, { commitFrames = 2, loadFrames = 1, failing = new Set<number>(), snapshotEvery = 1000 } = {}) => {
  const ops: Applied[] = [];
  const writes: Write[] = [];
  let batches = 0;
  let loads = 0;
  const write = (batch: readonly Write[]): Observable<readonly null[]> => {
    const n = ++batches;
    const delay = '-'.repeat(commitFrames);
    if (failing.has(n)) return ts.createColdObservable<readonly null[]>(`${delay}#`, undefined, new Error('disk full'));
    return ts.createColdObservable(`${delay}(x|)`, { x: batch.map(() => null) }).pipe(
      tap(() => {
        writes.push(...batch);
        for (const w of batch) if (w.kind === 'docOp') ops.push(w.id === undefined ? { op: w.op, user: w.user } : { op: w.op, user: w.user, id: w.id });
      }),
    );
  };
  const deps: DocsDeps = {
    load: () => {
      loads++;
      return ts.createColdObservable(`${'-'.repeat(loadFrames)}(x|)`, { x: null }).pipe(map((): StoredDoc => ({ version: 0, content: new Delta(), ops: [...ops] })));
    },
    keep: 100,
    snapshotEvery,
    idleMs: 1000,
    docsPerSocket: 0,
    docChars: 0,
    maxSnapshotBytes: 0,
  };
  return { deps, write, writes, loads: () => loads };
};

const run = (ts: TestScheduler, inbound: Observable<Inbound>, store: ReturnType<typeof fakeStore>) =>
  docs(inbound, store.deps, ts).pipe(commitStage(store.write, { maxSize: 100, maxDelayMs: 0 }, ts), mergeMap((effects) => effects));

describe('docs pipeline', () => {
  it('opens an unknown document empty, after loading it once', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { loadFrames: 3 });
      const inbound = hot('(abo)----c', { a: opened(ann), b: open(ann, 1), o: opened(bob), c: open(bob, 2) });
      expectObservable(run(ts, inbound, store)).toBe('---(sx)--(Sy)', {
        s: subscribe('a1', topic),
        x: snapshot(ann, 1, 0, new Delta()),
        S: subscribe('b1', topic),
        y: snapshot(bob, 2, 0, new Delta()),
      });
      ts.flush();
      expect(store.loads()).toBe(1);
    });
  });

  it('acks and broadcasts an op only after its commit, and transforms a concurrent one (the earlier wins ties)', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { loadFrames: 0, commitFrames: 3 });
      const inbound = hot('(abcd)---(ef)', {
        a: opened(ann), b: opened(bob), c: open(ann, 1), d: open(bob, 1),
        e: edit(ann, 2, 0, new Delta().insert('x'), 'op-a'), f: edit(bob, 2, 0, new Delta().insert('y')),
      });
      expectObservable(run(ts, inbound, store)).toBe('(sxSy)------(ApBq)', {
        s: subscribe('a1', topic), x: snapshot(ann, 1, 0, new Delta()),
        S: subscribe('b1', topic), y: snapshot(bob, 1, 0, new Delta()),
        A: ack(ann, 2, 1, 'op-a'), p: broadcast(ann, 1, new Delta().insert('x'), 'op-a'),
        B: ack(bob, 2, 2), q: broadcast(bob, 2, new Delta().retain(1).insert('y')),
      });
      ts.flush();
      expect(store.writes.map((w) => w.kind === 'docOp' && w.version)).toEqual([1, 2]);
    });
  });

  it('answers an open only once what it shows is committed, right after that commit', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { loadFrames: 0, commitFrames: 4 });
      const inbound = hot('(abc)-d-e', { a: opened(ann), b: opened(bob), c: open(ann, 1), d: edit(ann, 2, 0, new Delta().insert('hi')), e: open(bob, 3) });
      expectObservable(run(ts, inbound, store)).toBe('(sx)------(ApSy)', {
        s: subscribe('a1', topic), x: snapshot(ann, 1, 0, new Delta()),
        A: ack(ann, 2, 1), p: broadcast(ann, 1, new Delta().insert('hi')),
        S: subscribe('b1', topic), y: snapshot(bob, 3, 1, new Delta().insert('hi')),
      });
    });
  });

  it('catches a reopening client up with every op after its version, then doc.opened', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { loadFrames: 0, commitFrames: 1 });
      const inbound = hot('(abc)-d-e--(fgh)', {
        a: opened(ann), b: opened(bob), c: open(ann, 1),
        d: edit(ann, 2, 0, new Delta().insert('a'), 'k1'), e: edit(ann, 3, 1, new Delta().insert('b')),
        f: open(bob, 4, 1), g: open(bob, 5, 3), h: open(bob, 6, 0),
      });
      const replay = (version: number, op: Delta, id?: string) => send('b1', { type: 'doc.op', doc: 'd', version, op, user: 'ann', ...(id === undefined ? {} : { id }) });
      expectObservable(run(ts, inbound, store).pipe(mergeMap((e) => (e.kind === 'send' && e.conn === 'b1' ? [e] : [])))).toBe('-----------(roxRrO)', {
        r: replay(2, new Delta().insert('b')),
        o: send('b1', { type: 'doc.opened', doc: 'd', version: 2, ref: 4 }),
        x: replyError('b1', err('bad_version', "version 3 is ahead of the document's 2"), 5),
        R: replay(1, new Delta().insert('a'), 'k1'),
        O: send('b1', { type: 'doc.opened', doc: 'd', version: 2, ref: 6 }),
      });
    });
  });

  it('refuses an op or cursor on a document the socket has not opened, and a malformed op, changing nothing', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { loadFrames: 0 });
      const inbound = hot('(ab)-c-d----e', {
        a: opened(ann), b: edit(ann, 1, 0, new Delta().insert('x')),
        c: frame(ann, { type: 'doc.cursor', doc: 'd', version: 0, range: { index: 0, length: 0 } }),
        d: open(ann, 2), e: frame(ann, { type: 'doc.op', ref: 3, doc: 'd', version: 0, op: { ops: [{ insert: 'x', delete: 1 }] } }),
      });
      const notOpen = err('not_open', 'open doc d first', 'doc');
      expectObservable(run(ts, inbound, store)).toBe('e----f-(sx)-g', {
        e: replyError('a1', notOpen, 1),
        f: replyError('a1', notOpen),
        s: subscribe('a1', topic), x: snapshot(ann, 2, 0, new Delta()),
        g: replyError('a1', err('bad_request', 'op.ops.0: an op has exactly one of insert, retain, delete; got 2', 'op.ops.0'), 3),
      });
      ts.flush();
      expect(store.writes).toEqual([]);
    });
  });

  it('answers unavailable when the commit fails, and reloads the document from the store', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { loadFrames: 1, commitFrames: 1, failing: new Set([1]) });
      const inbound = hot('(ab)--c--d', { a: opened(ann), b: open(ann, 1), c: edit(ann, 2, 0, new Delta().insert('lost')), d: edit(ann, 3, 0, new Delta().insert('kept')) });
      expectObservable(run(ts, inbound, store)).toBe('-(sx)--e---(Ap)', {
        s: subscribe('a1', topic), x: snapshot(ann, 1, 0, new Delta()),
        e: replyError('a1', unavailable, 2),
        A: ack(ann, 3, 1), p: broadcast(ann, 1, new Delta().insert('kept')),
      });
      ts.flush();
      expect(store.loads()).toBe(2);
    });
  });

  it('acks a resent op id with the original version and stores it once', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { loadFrames: 0, commitFrames: 2 });
      const op = new Delta().insert('x');
      const inbound = hot('(ab)-c-d------e', { a: opened(ann), b: open(ann, 1), c: edit(ann, 2, 0, op, 'k'), d: edit(ann, 3, 0, op, 'k'), e: edit(ann, 4, 0, op, 'k') });
      expectObservable(run(ts, inbound, store)).toBe('(sx)---(Apa)--b', {
        s: subscribe('a1', topic), x: snapshot(ann, 1, 0, new Delta()),
        A: ack(ann, 2, 1, 'k'), p: broadcast(ann, 1, op, 'k'),
        a: ack(ann, 3, 1, 'k'),
        b: ack(ann, 4, 1, 'k'),
      });
      ts.flush();
      expect(store.writes).toHaveLength(1);
    });
  });

  it('moves a cursor over the ops since its version and shows it to the others', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { loadFrames: 0, commitFrames: 0 });
      const inbound = hot('(abcd)-e-f', {
        a: opened(ann), b: opened(bob), c: open(ann, 1), d: open(bob, 1),
        e: edit(ann, 2, 0, new Delta().insert('abc')),
        f: frame(bob, { type: 'doc.cursor', doc: 'd', version: 0, range: { index: 0, length: 0 } }),
      });
      const cursors = run(ts, inbound, store).pipe(mergeMap((e) => (e.kind === 'publish' && e.frame.type === 'doc.cursor' ? [e] : [])));
      expectObservable(cursors).toBe('---------c', {
        c: publish(topic, { type: 'doc.cursor', doc: 'd', user: 'bob', range: { index: 3, length: 0 } }, 'b1'),
      });
    });
  });

  it('stores a snapshot every snapshotEvery versions, in the same batch as its op', () => {
    const ts = newScheduler();
    ts.run(({ hot }) => {
      const store = fakeStore(ts, { loadFrames: 0, commitFrames: 0, snapshotEvery: 2 });
      const inbound = hot('(ab)-c-d', { a: opened(ann), b: open(ann, 1), c: edit(ann, 2, 0, new Delta().insert('a')), d: edit(ann, 3, 1, new Delta().insert('b')) });
      run(ts, inbound, store).subscribe();
      ts.flush();
      expect(store.writes.map((w) => w.kind)).toEqual(['docOp', 'docOp', 'docSnapshot']);
      expect(store.writes[2]).toEqual({ kind: 'docSnapshot', doc: 'd', version: 2, content: new Delta().insert('ba') });
    });
  });

  it('closes a document: no more ops reach the socket, and its ops are refused', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { loadFrames: 0 });
      const inbound = hot('(ab)-c-----d', { a: opened(ann), b: open(ann, 1), c: frame(ann, { type: 'doc.close', ref: 2, doc: 'd' }), d: edit(ann, 3, 0, new Delta().insert('x')) });
      expectObservable(run(ts, inbound, store)).toBe('(sx)-(uc)--e', {
        s: subscribe('a1', topic), x: snapshot(ann, 1, 0, new Delta()),
        u: unsubscribe('a1', topic), c: send('a1', { type: 'doc.closed', doc: 'd', ref: 2 }),
        e: replyError('a1', err('not_open', 'open doc d first', 'doc'), 3),
      });
    });
  });
});

describe('docs pipeline: authorization and limits', () => {
  const token = (claims: object) => ({ kind: 'token', claims }) as const;
  const reader: Conn = { id: 'r1', user: 'reader', access: token({ docs_read: ['d'] }) };
  const stranger: Conn = { id: 's1', user: 'stranger', access: token({ docs: ['other'] }) };
  const withDeps = (store: ReturnType<typeof fakeStore>, more: Partial<DocsDeps>) => ({ ...store, deps: { ...store.deps, ...more } });

  it('lets a docs_read reader open and watch, but refuses its ops and cursors; a stranger may not open', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { loadFrames: 0, commitFrames: 1 });
      const inbound = hot('(abc)-d-----e-f-g', {
        a: opened(ann), b: opened(reader), c: opened(stranger),
        d: open(reader, 1),
        e: edit(reader, 2, 0, new Delta().insert('x')),
        f: frame(reader, { type: 'doc.cursor', ref: 3, doc: 'd', version: 0, range: { index: 0, length: 0 } }),
        g: open(stranger, 4),
      });
      expectObservable(run(ts, inbound, store)).toBe('------(sx)--e-f-g', {
        s: subscribe('r1', topic), x: snapshot(reader, 1, 0, new Delta()),
        e: replyError('r1', err('forbidden', 'doc d is read-only for reader', 'doc'), 2),
        f: replyError('r1', err('forbidden', 'doc d is read-only for reader', 'doc'), 3),
        g: replyError('s1', err('forbidden', "the token's docs and docs_read claims do not allow doc d", 'doc'), 4),
      });
      ts.flush();
      expect(store.writes).toEqual([]);
    });
  });

  it('refuses an op that would make the document longer than allowed, but not one that shortens it', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = withDeps(fakeStore(ts, { loadFrames: 0, commitFrames: 1 }), { docChars: 3 });
      const inbound = hot('(ab)-c-d-e', { a: opened(ann), b: open(ann, 1), c: edit(ann, 2, 0, new Delta().insert('abc')), d: edit(ann, 3, 1, new Delta().insert('d')), e: edit(ann, 4, 1, new Delta().delete(1)) });
      const replies = run(ts, inbound, store).pipe(mergeMap((e) => (e.kind === 'send' ? [e.frame.type === 'error' ? `${e.frame.code}` : `${e.frame.type}`] : [])));
      expectObservable(replies).toBe('x-----aq--b', { x: 'doc.snapshot', a: 'doc.ack', q: 'quota_exceeded', b: 'doc.ack' });
    });
  });

  it('counts opens in flight against the documents per socket', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = withDeps(fakeStore(ts, { loadFrames: 2 }), { docsPerSocket: 1 });
      const openDoc = (ref: number, doc: string) => frame(ann, { type: 'doc.open', ref, doc });
      const inbound = hot('(abc)', { a: opened(ann), b: openDoc(1, 'one'), c: openDoc(2, 'two') });
      const replies = run(ts, inbound, store).pipe(mergeMap((e) => (e.kind === 'send' ? [e.frame.type === 'error' ? `${e.frame.code}` : `${e.frame.type}`] : [])));
      expectObservable(replies).toBe('q-s', { q: 'quota_exceeded', s: 'doc.snapshot' });
    });
  });

  it('closes the documents a refreshed token no longer lets the socket read', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { loadFrames: 0 });
      const inbound = hot('(ab)-c', { a: opened(reader), b: open(reader, 1), c: { kind: 'access', conn: { ...reader, access: token({ docs_read: ['e'] }) } } as Inbound });
      expectObservable(run(ts, inbound, store)).toBe('(sx)-(uc)', {
        s: subscribe('r1', topic), x: snapshot(reader, 1, 0, new Delta()),
        u: unsubscribe('r1', topic), c: send('r1', { type: 'doc.closed', doc: 'd' }),
      });
    });
  });
});
