import { defer, distinctUntilChanged, filter, map } from 'rxjs';
import { Rusher, createRusher } from './client';
import { Message, Outgoing } from './frames';
import { Room, RoomState } from './room';
import { FakeServer, FakeSocket } from './testing/fake-server';
import { BACKOFF, URL, counter, newScheduler, play } from './testing/marbles';

const msg = (seq: number, room = 'lobby', user = 'bob'): Message => ({ room, seq, user, text: `m${seq}`, at: 1000 + seq, id: `m${seq}` });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Answers joins with `history(since)` and everyone in `members`. */
const joins = (history: (since: number | undefined) => Message[], members = ['ada', 'bob']) => (f: Outgoing, socket: FakeSocket) => {
  if (f.type === 'room.join') socket.push({ type: 'room.joined', ref: f.ref, room: f.room, members, history: history(f.since) });
};

const setup = (server: FakeServer, scheduler: ReturnType<typeof newScheduler>): Rusher =>
  createRusher({ url: URL, WebSocketCtor: server.WebSocketCtor, scheduler, backoff: BACKOFF, newId: counter() });

const summary = (s: RoomState) => `${s.status} ${s.messages.map((m) => m.seq).join(',')}`;

describe('a room across reconnects', () => {
  it('joins again on the new socket with since = the last seq it saw', () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    server.onConnect = (socket) => socket.accept();
    server.respond = joins((since) => (since === undefined ? [msg(1), msg(2)] : [msg(4)]));
    scheduler.run(({ cold, expectObservable }) => {
      let room!: Room;
      expectObservable(server.sent$.pipe(filter((f) => f.type === 'room.join'))).toBe('a 1019ms b', {
        a: { type: 'room.join', room: 'lobby', ref: 1 },
        b: { type: 'room.join', room: 'lobby', since: 3, ref: 2 },
      });
      expectObservable(defer(() => room.state$).pipe(map(summary), distinctUntilChanged())).toBe('(ab) 6ms c 9ms d 999ms e 999ms f', {
        a: 'joining ',
        b: 'joined 1,2',
        c: 'joined 1,2,3',
        d: 'joining 1,2,3',
        e: 'joined 1,2,3,4',
        f: 'joining 1,2,3,4',
      });
      const rusher = setup(server, scheduler);
      room = rusher.room('lobby');
      // Message 3 arrives live at 10; the network drops at 20; back at 1020.
      play(cold, '10ms m 9ms x 1999ms c', {
        m: () => server.last.push({ type: 'chat.message', ...msg(3) }),
        x: () => server.last.drop(),
        c: () => rusher.close(),
      });
    });
  });

  it('starts over from the latest page when more was missed than one reply holds', () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    server.onConnect = (socket) => socket.accept();
    // Message 1 at the first join; 1,049 more while the socket is away.
    server.respond = joins((since) =>
      (since !== undefined ? range(since + 1, since + 1000) : server.sockets.length === 1 ? [1] : range(1001, 1050)).map((s) => msg(s)),
    );
    scheduler.run(({ cold, expectObservable }) => {
      let room!: Room;
      expectObservable(server.sent$.pipe(filter((f) => f.type === 'room.join'))).toBe('a 1019ms (bc)', {
        a: { type: 'room.join', room: 'lobby', ref: 1 },
        b: { type: 'room.join', room: 'lobby', since: 1, ref: 2 },
        c: { type: 'room.join', room: 'lobby', ref: 3 },
      });
      const span = (s: RoomState) => `${s.messages[0]?.seq}-${s.messages[s.messages.length - 1]?.seq}${s.hasOlder ? ' older' : ''}`;
      expectObservable(defer(() => room.state$).pipe(map(span), distinctUntilChanged())).toBe('(ab) 1016ms (ac)', {
        a: 'undefined-undefined',
        b: '1-1',
        c: '1001-1050 older',
      });
      const rusher = setup(server, scheduler);
      room = rusher.room('lobby');
      play(cold, '20ms x 1999ms c', { x: () => server.last.drop(), c: () => rusher.close() });
    });
  });

  it('sends a message again after a reconnect under the same id, and shows it once', () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    server.onConnect = (socket) => socket.accept();
    const answerJoins = joins(() => []);
    server.respond = (f, socket) => {
      answerJoins(f, socket);
      // The first socket dies before the ack; the second one commits the message.
      if (f.type === 'chat.send' && server.sockets.length === 2) {
        socket.push({ type: 'chat.ack', ref: f.ref, room: f.room, seq: 1, at: 5000, id: f.id ?? '' });
        socket.push({ type: 'chat.message', room: f.room, seq: 1, user: 'ada', text: f.text, at: 5000, id: f.id ?? '' });
      }
    };
    scheduler.run(({ cold, expectObservable }) => {
      let room!: Room;
      expectObservable(server.sent$.pipe(filter((f) => f.type === 'chat.send'))).toBe('10ms a 1009ms b', {
        a: { type: 'chat.send', room: 'lobby', text: 'hello', id: 'id1', ref: 2 },
        b: { type: 'chat.send', room: 'lobby', text: 'hello', id: 'id1', ref: 4 },
      });
      expectObservable(
        defer(() => room.state$).pipe(
          map((s) => `${s.outbox.map((o) => o.text)}|${s.messages.map((m) => m.text)}`),
          distinctUntilChanged(),
        ),
      ).toBe('a 9ms b 1009ms c', { a: '|', b: 'hello|', c: '|hello' });
      const rusher = setup(server, scheduler);
      room = rusher.room('lobby');
      play(cold, '10ms s 9ms x 1999ms c', { s: () => room.send('hello'), x: () => server.last.drop(), c: () => rusher.close() });
    });
  });

  it("shows the server's refusal of a message and does not send it again", () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    server.onConnect = (socket) => socket.accept();
    const answerJoins = joins(() => []);
    server.respond = (f, socket) => {
      answerJoins(f, socket);
      if (f.type === 'chat.send') socket.push({ type: 'error', ref: f.ref, code: 'bad_request', message: 'text: expected text of 1–4000 characters', path: 'text' });
    };
    scheduler.run(({ cold, expectObservable }) => {
      let room!: Room;
      expectObservable(server.sent$.pipe(filter((f) => f.type === 'chat.send'), map((f) => f.ref))).toBe('10ms a', { a: 2 });
      expectObservable(defer(() => room.state$).pipe(map((s) => s.outbox.map((o) => o.error ?? 'sending').join()), distinctUntilChanged())).toBe('a 9ms (bc)', {
        a: '',
        b: 'sending',
        c: 'text: expected text of 1–4000 characters',
      });
      const rusher = setup(server, scheduler);
      room = rusher.room('lobby');
      play(cold, '10ms s 9ms x 1999ms c', { s: () => room.send('x'.repeat(4001)), x: () => server.last.drop(), c: () => rusher.close() });
    });
  });
});

describe('room streams', () => {
  it('keeps each room to its own messages and members', () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    server.onConnect = (socket) => socket.accept();
    server.respond = joins(() => []);
    scheduler.run(({ cold, expectObservable }) => {
      let a!: Room;
      let b!: Room;
      const view = (r: () => Room) => defer(() => r().state$).pipe(map((s) => `${s.messages.map((m) => m.text)}|${s.members}`), distinctUntilChanged());
      expectObservable(view(() => a)).toBe('(xy) 6ms z', { x: '|', y: '|ada,bob', z: 'm1|ada,bob' });
      expectObservable(view(() => b)).toBe('(xy) 16ms z 9ms w', { x: '|', y: '|ada,bob', z: '|ada,bob,carol', w: '|ada,carol' });
      const rusher = setup(server, scheduler);
      a = rusher.room('a');
      b = rusher.room('b');
      play(cold, '10ms m 9ms j 9ms l 9ms c', {
        m: () => server.last.push({ type: 'chat.message', ...msg(1, 'a') }),
        j: () => server.last.push({ type: 'presence.join', room: 'b', user: 'carol' }),
        l: () => server.last.push({ type: 'presence.leave', room: 'b', user: 'bob' }),
        c: () => rusher.close(),
      });
    });
  });

  it('shows a user typing until a few seconds after their last typing frame, or their message', () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    server.onConnect = (socket) => socket.accept();
    server.respond = joins(() => []);
    scheduler.run(({ cold, expectObservable }) => {
      let room!: Room;
      // bob types at 10 and 2010 (shown until 6010); carol types at 20 and sends at 30.
      expectObservable(defer(() => room.state$).pipe(map((s) => s.typing.join()), distinctUntilChanged())).toBe('a 9ms b 9ms c 9ms b 5979ms a', {
        a: '',
        b: 'bob',
        c: 'bob,carol',
      });
      const rusher = setup(server, scheduler);
      room = rusher.room('lobby');
      play(cold, '10ms b 9ms t 9ms m 1979ms b 4999ms c', {
        b: () => server.last.push({ type: 'chat.typing', room: 'lobby', user: 'bob' }),
        t: () => server.last.push({ type: 'chat.typing', room: 'lobby', user: 'carol' }),
        m: () => server.last.push({ type: 'chat.message', ...msg(1, 'lobby', 'carol') }),
        c: () => rusher.close(),
      });
    });
  });

  it('tells others it is typing at most every two seconds', () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    server.onConnect = (socket) => socket.accept();
    server.respond = joins(() => []);
    scheduler.run(({ cold, expectObservable }) => {
      let room!: Room;
      expectObservable(server.sent$.pipe(filter((f) => f.type === 'chat.typing'))).toBe('10ms t 1999ms t', { t: { type: 'chat.typing', room: 'lobby' } });
      const rusher = setup(server, scheduler);
      room = rusher.room('lobby');
      play(cold, '10ms k 499ms k 499ms k 999ms k 9ms c', { k: () => room.typing(), c: () => rusher.close() });
    });
  });

  it('loads the page before the oldest message it holds when asked for older ones', () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    server.onConnect = (socket) => socket.accept();
    const answerJoins = joins(() => range(51, 100).map((s) => msg(s)));
    server.respond = (f, socket) => {
      answerJoins(f, socket);
      if (f.type === 'room.history' && f.before !== undefined) {
        socket.push({ type: 'room.history', ref: f.ref, room: f.room, messages: range(Math.max(1, f.before - (f.limit ?? 50)), f.before - 1).map((s) => msg(s)) });
      }
    };
    scheduler.run(({ cold, expectObservable }) => {
      let room!: Room;
      expectObservable(server.sent$.pipe(filter((f) => f.type === 'room.history'))).toBe('10ms a', { a: { type: 'room.history', room: 'lobby', before: 51, limit: 50, ref: 2 } });
      expectObservable(
        defer(() => room.state$).pipe(
          map((s) => `${s.messages[0]?.seq}-${s.messages[s.messages.length - 1]?.seq}${s.hasOlder ? ' older' : ''}`),
          distinctUntilChanged(),
        ),
      ).toBe('(ab) 6ms c', { a: 'undefined-undefined', b: '51-100 older', c: '1-100' });
      const rusher = setup(server, scheduler);
      room = rusher.room('lobby');
      play(cold, '10ms o 9ms c', { o: () => void room.loadOlder(), c: () => rusher.close() });
    });
  });
});
