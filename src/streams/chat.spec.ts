import { TestScheduler } from 'rxjs/testing';
import { Observable, filter, map, mergeMap, tap, throwError } from 'rxjs';
import { Message } from '../domain/chat';
import { ClientFrame } from '../domain/protocol';
import { Write } from '../domain/writes';
import { ChatDeps, HistoryQuery, chat, messageFrame, roomTopic } from './chat';
import { OPEN } from '../domain/authz';
import { Conn, Inbound, publish, replyError, send, subscribe, unavailable, unsubscribe } from './effects';
import { commitStage } from './commit';
import { err } from '../domain/errors';

const alice: Conn = { id: 'a1', user: 'alice', access: OPEN };
const alice2: Conn = { id: 'a2', user: 'alice', access: OPEN };
const bob: Conn = { id: 'b1', user: 'bob', access: OPEN };
const open = (conn: Conn): Inbound => ({ kind: 'open', conn });
const close = (conn: Conn): Inbound => ({ kind: 'close', conn });
const frame = (conn: Conn, f: ClientFrame): Inbound => ({ kind: 'frame', conn, frame: f });
const join = (conn: Conn, ref: number, extra: { since?: number } = {}) => frame(conn, { type: 'room.join', ref, room: 'r', ...extra });
const say = (conn: Conn, ref: number, text: string, id?: string) =>
  frame(conn, id === undefined ? { type: 'chat.send', ref, room: 'r', text } : { type: 'chat.send', ref, room: 'r', text, id });
const msg = (seq: number, user: string, text: string, at: number, id: string): Message => ({ room: 'r', seq, user, text, at, id });
const joined = (conn: Conn, ref: number, members: string[], history: Message[] = []) =>
  send(conn.id, { type: 'room.joined', room: 'r', members, history: history.map(messageFrame), ref });
const ack = (conn: Conn, ref: number, m: Message) => send(conn.id, { type: 'chat.ack', room: 'r', seq: m.seq, at: m.at, id: m.id, ref });

/** A marble string from {frame: 'letters emitted together'}: `{0: 'ab', 10: 'c'}` → 'a 9ms c' style. */
const at = (events: Record<number, string>): string => {
  let now = 0;
  let out = '';
  for (const [frame, letters] of Object.entries(events).map(([f, l]) => [Number(f), l] as const).sort((x, y) => x[0] - y[0])) {
    if (frame < now) throw new Error(`frame ${frame} overlaps the previous group`);
    if (frame > now) out += ` ${frame - now}ms `;
    out += letters.length === 1 ? letters : `(${letters})`;
    now = frame + (letters.length === 1 ? 1 : letters.length + 2);
  }
  return out;
};

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/**
 * A store fake in virtual time: a batch commits `commitFrames` after it closes (the
 * batches numbered in `failing` fail instead), history reads take `readFrames`.
 */
const fakeStore = (
  ts: TestScheduler,
  { commitFrames = 2, readFrames = 1, failing = new Set<number>() }: { commitFrames?: number; readFrames?: number; failing?: Set<number> } = {},
) => {
  const stored: Message[] = [];
  let batches = 0;
  const delay = (n: number) => '-'.repeat(n);
  const write = (batch: readonly Write[]): Observable<readonly null[]> => {
    const n = ++batches;
    if (failing.has(n)) return ts.createColdObservable<readonly null[]>(`${delay(commitFrames)}#`, undefined, new Error('disk full'));
    return ts.createColdObservable(`${delay(commitFrames)}(x|)`, { x: batch.map(() => null) }).pipe(
      tap(() => stored.push(...batch.flatMap((w) => (w.kind === 'message' ? [w.message] : [])))),
    );
  };
  const deps: ChatDeps = {
    history: (q: HistoryQuery) =>
      ts.createColdObservable(`${delay(readFrames)}(x|)`, { x: null }).pipe(
        map(() =>
          stored
            .filter((m) => m.room === q.room && m.seq > (q.after ?? 0) && m.seq <= (q.upTo ?? Infinity) && m.seq < (q.before ?? Infinity))
            .sort((x, y) => x.seq - y.seq)
            .slice(-q.limit),
        ),
      ),
    newId: (() => {
      let i = 0;
      return () => `gen-${++i}`;
    })(),
    rooms: new Map(),
    roomsPerSocket: 0,
    dedupeWindow: 100,
  };
  return { deps, stored, write };
};

/** The chat pipeline through the real commit stage (batches close at once), one effect at a time. */
const run = (ts: TestScheduler, inbound: Observable<Inbound>, store: ReturnType<typeof fakeStore>, deps: ChatDeps = store.deps) =>
  chat(inbound, deps, ts).pipe(commitStage(store.write, { maxSize: 100, maxDelayMs: 0 }, ts), mergeMap((effects) => effects));

const presenceJoin = (user: string) => publish(roomTopic('r'), { type: 'presence.join', room: 'r', user });
const sub = (conn: Conn) => subscribe(conn.id, roomTopic('r'));

describe('chat pipeline', () => {
  it('answers a join with members and history, and tells the members already there', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { readFrames: 1 });
      const inbound = hot(at({ 0: 'ab', 10: 'c', 20: 'd' }), { a: open(alice), b: open(bob), c: join(alice, 1), d: join(bob, 2) });
      expectObservable(run(ts, inbound, store)).toBe(at({ 11: 'PAx', 21: 'pBy' }), {
        P: presenceJoin('alice'),
        A: sub(alice),
        x: joined(alice, 1, ['alice']),
        p: presenceJoin('bob'),
        B: sub(bob),
        y: joined(bob, 2, ['alice', 'bob']),
      });
    });
  });

  it('refuses chat.send and chat.typing to a room the socket has not joined', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts);
      const inbound = hot(at({ 0: 'a', 10: 'b', 20: 'c' }), { a: open(alice), b: say(alice, 7, 'hi'), c: frame(alice, { type: 'chat.typing', room: 'r' }) });
      expectObservable(run(ts, inbound, store)).toBe(at({ 10: 'x', 20: 'y' }), {
        x: replyError('a1', err('not_joined', 'join room r first', 'room'), 7),
        y: replyError('a1', err('not_joined', 'join room r first', 'room')),
      });
    });
  });

  it('gives gap-free seqs in arrival order and acks and broadcasts only after the commit', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 3, readFrames: 0 });
      const inbound = hot(at({ 0: 'ac', 10: 'd', 15: 'e' }), { a: open(alice), c: join(alice, 1), d: say(alice, 2, 'one', 'm1'), e: say(alice, 3, 'two') });
      const one = msg(1, 'alice', 'one', 10, 'm1');
      const two = msg(2, 'alice', 'two', 15, 'gen-1');
      expectObservable(run(ts, inbound, store)).toBe(at({ 0: 'PAx', 13: 'ba', 18: 'dc' }), {
        P: presenceJoin('alice'),
        A: sub(alice),
        x: joined(alice, 1, ['alice']),
        a: ack(alice, 2, one),
        b: publish(roomTopic('r'), messageFrame(one)),
        c: ack(alice, 3, two),
        d: publish(roomTopic('r'), messageFrame(two)),
      });
    });
  });

  it('acks a resent id with the original seq and commits nothing new', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 3, readFrames: 0 });
      // 'd' resends while the original is being committed, 'e' after.
      const inbound = hot(at({ 0: 'ab', 10: 'c', 11: 'd', 20: 'e' }), {
        a: open(alice), b: join(alice, 1), c: say(alice, 2, 'hi', 'k'), d: say(alice, 3, 'hi', 'k'), e: say(alice, 4, 'hi', 'k'),
      });
      const m = msg(1, 'alice', 'hi', 10, 'k');
      expectObservable(run(ts, inbound, store)).toBe(at({ 0: 'PAx', 13: 'cab', 20: 'e' }), {
        P: presenceJoin('alice'),
        A: sub(alice),
        x: joined(alice, 1, ['alice']),
        a: ack(alice, 2, m),
        b: ack(alice, 3, m),
        c: publish(roomTopic('r'), messageFrame(m)),
        e: ack(alice, 4, m),
      });
      ts.flush();
      expect(store.stored).toEqual([m]);
    });
  });

  it('answers unavailable when the commit fails and gives the seq out again', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 1, readFrames: 0, failing: new Set([1]) });
      const inbound = hot(at({ 0: 'ab', 10: 'c', 20: 'd' }), { a: open(alice), b: join(alice, 1), c: say(alice, 2, 'lost', 'x'), d: say(alice, 3, 'kept', 'y') });
      const kept = msg(1, 'alice', 'kept', 20, 'y');
      expectObservable(run(ts, inbound, store)).toBe(at({ 0: 'PAx', 11: 'e', 21: 'ba' }), {
        P: presenceJoin('alice'),
        A: sub(alice),
        x: joined(alice, 1, ['alice']),
        e: replyError('a1', unavailable, 2),
        a: ack(alice, 3, kept),
        b: publish(roomTopic('r'), messageFrame(kept)),
      });
      ts.flush();
      expect(store.stored).toEqual([kept]);
    });
  });

  it("ends a joiner's history where its live stream begins, even when messages commit during the read", () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 5, readFrames: 10 });
      // Bob's read (up to seq 0) starts at 30 while m1 commits at 35: a catch-up read
      // returns m1, so his history has it and his subscription starts after it.
      const inbound = hot(at({ 0: 'abc', 30: 'd', 31: 'e' }), { a: open(alice), b: open(bob), c: join(alice, 1), d: say(alice, 2, 'one', 'm1'), e: join(bob, 3) });
      const one = msg(1, 'alice', 'one', 30, 'm1');
      expectObservable(run(ts, inbound, store)).toBe(at({ 10: 'PAx', 35: 'ba', 51: 'pBr' }), {
        P: presenceJoin('alice'),
        A: sub(alice),
        x: joined(alice, 1, ['alice']),
        a: ack(alice, 2, one),
        b: publish(roomTopic('r'), messageFrame(one)),
        p: presenceJoin('bob'),
        B: sub(bob),
        r: joined(bob, 3, ['alice', 'bob'], [one]),
      });
    });
  });

  it('joins with since: every message after it', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 1, readFrames: 1 });
      const inbound = hot(at({ 0: 'aob', 10: 'c', 15: 'd', 20: 'e' }), {
        a: open(alice), o: open(bob), b: join(alice, 1), c: say(alice, 2, 'one', 'm1'), d: say(alice, 3, 'two', 'm2'), e: join(bob, 4, { since: 1 }),
      });
      const one = msg(1, 'alice', 'one', 10, 'm1');
      const two = msg(2, 'alice', 'two', 15, 'm2');
      expectObservable(run(ts, inbound, store)).toBe(at({ 1: 'PAx', 11: 'ba', 16: 'dc', 21: 'pBr' }), {
        P: presenceJoin('alice'),
        A: sub(alice),
        x: joined(alice, 1, ['alice']),
        a: ack(alice, 2, one),
        b: publish(roomTopic('r'), messageFrame(one)),
        c: ack(alice, 3, two),
        d: publish(roomTopic('r'), messageFrame(two)),
        p: presenceJoin('bob'),
        B: sub(bob),
        r: joined(bob, 4, ['alice', 'bob'], [two]),
      });
    });
  });

  it('tells presence once per user: joins and leaves of a second socket are silent', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { readFrames: 0 });
      const inbound = hot(at({ 0: 'abc', 10: 'd', 20: 'e', 30: 'f', 40: 'g', 50: 'h' }), {
        a: open(alice), b: open(alice2), c: open(bob),
        d: join(bob, 1), e: join(alice, 2), f: join(alice2, 3), g: close(alice), h: close(alice2),
      });
      expectObservable(run(ts, inbound, store)).toBe(at({ 10: 'PBy', 20: 'pAx', 30: 'Cz', 40: 'u', 50: 'vw' }), {
        P: presenceJoin('bob'),
        B: sub(bob),
        y: joined(bob, 1, ['bob']),
        p: presenceJoin('alice'),
        A: sub(alice),
        x: joined(alice, 2, ['bob', 'alice']),
        C: sub(alice2),
        z: joined(alice2, 3, ['bob', 'alice']),
        u: unsubscribe('a1', roomTopic('r')),
        v: unsubscribe('a2', roomTopic('r')),
        w: publish(roomTopic('r'), { type: 'presence.leave', room: 'r', user: 'alice' }),
      });
    });
  });

  it('leaves a room on room.leave, and ignores a join whose socket closed during the read', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { readFrames: 5 });
      const inbound = hot(at({ 0: 'ab', 10: 'c', 20: 'd', 30: 'e', 31: 'f' }), {
        a: open(alice), b: open(bob), c: join(alice, 1), d: frame(alice, { type: 'room.leave', ref: 2, room: 'r' }), e: join(bob, 3), f: close(bob),
      });
      expectObservable(run(ts, inbound, store)).toBe(at({ 15: 'PAx', 20: 'uvl' }), {
        P: presenceJoin('alice'),
        A: sub(alice),
        x: joined(alice, 1, ['alice']),
        u: unsubscribe('a1', roomTopic('r')),
        v: publish(roomTopic('r'), { type: 'presence.leave', room: 'r', user: 'alice' }),
        l: send('a1', { type: 'room.left', room: 'r', ref: 2 }),
      });
    });
  });

  it('sends typing to the other members only, unstored', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { readFrames: 0 });
      const inbound = hot(at({ 0: 'ab', 10: 'c' }), { a: open(alice), b: join(alice, 1), c: frame(alice, { type: 'chat.typing', room: 'r' }) });
      expectObservable(run(ts, inbound, store)).toBe(at({ 0: 'PAx', 10: 't' }), {
        P: presenceJoin('alice'),
        A: sub(alice),
        x: joined(alice, 1, ['alice']),
        t: publish(roomTopic('r'), { type: 'chat.typing', room: 'r', user: 'alice' }, 'a1'),
      });
      ts.flush();
      expect(store.stored).toEqual([]);
    });
  });

  it('pages back through history without a join', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 0, readFrames: 1 });
      const inbound = hot(at({ 0: 'ab', 10: 'cde', 20: 'f' }), {
        a: open(alice), b: join(alice, 1),
        c: say(alice, 2, 'one', 'm1'), d: say(alice, 3, 'two', 'm2'), e: say(alice, 4, 'three', 'm3'),
        f: frame(bob, { type: 'room.history', ref: 5, room: 'r', before: 3, limit: 1 }),
      });
      const two = msg(2, 'alice', 'two', 10, 'm2');
      const history = run(ts, inbound, store).pipe(filter((e) => e.kind === 'send' && e.frame.type === 'room.history'));
      expectObservable(history).toBe(at({ 21: 'x' }), {
        x: send('b1', { type: 'room.history', room: 'r', messages: [messageFrame(two)], ref: 5 }),
      });
    });
  });

  it('answers unavailable when a history read fails', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts);
      const failing: ChatDeps = { ...store.deps, history: () => throwError(() => new Error('disk')) };
      const inbound = hot('ab', { a: open(alice), b: join(alice, 1) });
      expectObservable(run(ts, inbound, store, failing)).toBe('-x', { x: replyError('a1', unavailable, 1) });
    });
  });
});

describe('chat pipeline: authorization and limits', () => {
  const token = (claims: object) => ({ kind: 'token', claims }) as const;
  const mallory: Conn = { id: 'm1', user: 'mallory', access: token({ rooms: ['m.*'] }) };
  const carol: Conn = { id: 'c1', user: 'carol', access: token({ rooms: ['r', 's'] }) };
  const refused = (conn: Conn, ref?: number) => replyError(conn.id, err('forbidden', "the token's rooms claim does not allow room r", 'room'), ref);

  it('refuses join, history, send and typing outside the rooms claim, changing nothing and reading nothing', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { readFrames: 1 });
      const inbound = hot(at({ 0: 'ab', 10: 'c', 20: 'd', 30: 'e', 40: 'f', 50: 'g' }), {
        a: open(alice),
        b: open(mallory),
        c: join(alice, 1),
        d: join(mallory, 2, { since: 0 }),
        e: frame(mallory, { type: 'room.history', ref: 3, room: 'r' }),
        f: say(mallory, 4, 'defaced'),
        g: frame(mallory, { type: 'chat.typing', ref: 5, room: 'r' }),
      });
      expectObservable(run(ts, inbound, store)).toBe(at({ 11: 'PAx', 20: 'd', 30: 'e', 40: 'f', 50: 'g' }), {
        P: presenceJoin('alice'),
        A: sub(alice),
        x: joined(alice, 1, ['alice']),
        d: refused(mallory, 2),
        e: refused(mallory, 3),
        f: refused(mallory, 4),
        g: refused(mallory, 5),
      });
      ts.flush();
      expect(store.stored).toEqual([]);
    });
  });

  it('counts joins in flight against the rooms per socket, and frees a place on leave', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { readFrames: 2 });
      const roomJoin = (ref: number, room: string) => frame(alice, { type: 'room.join', ref, room });
      const inbound = hot(at({ 0: 'a', 10: 'bc', 20: 'd', 30: 'e' }), {
        a: open(alice),
        b: roomJoin(1, 'one'),
        c: roomJoin(2, 'two'),
        d: frame(alice, { type: 'room.leave', ref: 3, room: 'one' }),
        e: roomJoin(4, 'two'),
      });
      const replies = run(ts, inbound, store, { ...store.deps, roomsPerSocket: 1 }).pipe(mergeMap((e) => (e.kind === 'send' ? [e.frame.type === 'error' ? `${e.frame.code}` : `${e.frame.type}`] : [])));
      expectObservable(replies).toBe(at({ 10: 'q', 12: 'j', 20: 'l', 32: 'k' }), { q: 'quota_exceeded', j: 'room.joined', l: 'room.left', k: 'room.joined' });
    });
  });

  it('takes a socket out of the rooms a refreshed token no longer allows', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { readFrames: 0 });
      const narrowed: Conn = { ...carol, access: token({ rooms: ['s'] }) };
      const inbound = hot(at({ 0: 'ab', 10: 'c', 20: 'd', 30: 'e' }), {
        a: open(carol),
        b: open(bob),
        c: join(carol, 1),
        d: join(bob, 2),
        e: { kind: 'access', conn: narrowed } as Inbound,
      });
      const after = run(ts, inbound, store).pipe(mergeMap((e) => (ts.now() >= 30 ? [e] : [])));
      expectObservable(after).toBe(at({ 30: 'uls' }), {
        u: unsubscribe('c1', roomTopic('r')),
        l: publish(roomTopic('r'), { type: 'presence.leave', room: 'r', user: 'carol' }),
        s: send('c1', { type: 'room.left', room: 'r' }),
      });
    });
  });
});
