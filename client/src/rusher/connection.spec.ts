import { catchError, defer, filter, map, of, switchMap, take } from 'rxjs';
import { Connection, ConnectionState, connect } from './connection';
import { FakeServer } from './testing/fake-server';
import { BACKOFF, URL, newScheduler, play } from './testing/marbles';

const describeState = (s: ConnectionState): string =>
  s.status === 'open' ? `open ${s.user}` : s.status === 'closed' ? 'closed' : s.status === 'waiting' ? `waiting ${s.attempt} until ${s.retryAt}` : `connecting ${s.attempt}`;

describe('request and reply by ref', () => {
  it('resolves with the reply carrying its ref and ignores replies to other refs', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const server = new FakeServer();
      const conn = connect({ url: URL, WebSocketCtor: server.WebSocketCtor, scheduler });
      const reply$ = conn.session$.pipe(take(1), switchMap((s) => s.request({ type: 'fence.list' })));
      const fence = { id: 'f', name: 'F', shape: { type: 'Circle' as const, center: [2, 48] as const, radius: 10 } };
      expectObservable(reply$).toBe('-----(r|)', { r: { type: 'fence.list', ref: 1, fences: [fence] } });
      play(cold, '-w-x-y', {
        w: () => server.last.accept(),
        x: () => server.last.push({ type: 'fence.list', ref: 99, fences: [] }),
        y: () => server.last.push({ type: 'fence.list', ref: 1, fences: [fence] }),
      });
    });
  });

  it('sends a request made before the welcome once the server has welcomed the socket', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const server = new FakeServer();
      const conn = connect({ url: URL, WebSocketCtor: server.WebSocketCtor, scheduler });
      conn.session$.pipe(take(1), switchMap((s) => s.request({ type: 'fence.list' }))).subscribe({ error: () => undefined });
      expectObservable(server.sent$).toBe('--a', { a: { type: 'fence.list', ref: 1 } });
      play(cold, '--w-c', { w: () => server.last.accept(), c: () => conn.close() });
    });
  });

  it('rejects with the error frame that carries its ref', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const server = new FakeServer();
      const conn = connect({ url: URL, WebSocketCtor: server.WebSocketCtor, scheduler });
      const reply$ = conn.session$.pipe(
        take(1),
        switchMap((s) => s.request({ type: 'fence.delete', id: 'nope' })),
        map(() => 'resolved'),
        catchError((e: { name: string; code: string; message: string }) => of(`${e.name} ${e.code}: ${e.message}`)),
      );
      expectObservable(reply$).toBe('--(e|)', { e: 'RusherError not_found: no fence nope' });
      play(cold, 'w-e', {
        w: () => server.last.accept(),
        e: () => server.last.push({ type: 'error', ref: 1, code: 'not_found', message: 'no fence nope' }),
      });
    });
  });

  it('rejects with ConnectionLost when the socket goes before the reply', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const server = new FakeServer();
      const conn = connect({ url: URL, WebSocketCtor: server.WebSocketCtor, scheduler, backoff: BACKOFF });
      const reply$ = conn.session$.pipe(
        take(1),
        switchMap((s) => s.request({ type: 'fence.list' })),
        map(() => 'resolved'),
        catchError((e: Error) => of(e.name)),
      );
      expectObservable(reply$).toBe('---(l|)', { l: 'ConnectionLost' });
      play(cold, 'w--x', { w: () => server.last.accept(), x: () => server.last.drop() });
    });
  });
});

describe('reconnecting', () => {
  it('retries with growing delays until welcomed, then starts the delays over', () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      let conn!: Connection;
      // Refused twice, welcomed at 3000; the server restarts at 5000, and is back by 6000.
      expectObservable(defer(() => conn.state$).pipe(map(describeState))).toBe('(ab) 996ms (cd) 1996ms (eo) 1996ms f 999ms (go) 996ms (z|)', {
        a: 'connecting 1',
        b: 'waiting 1 until 1000',
        c: 'connecting 2',
        d: 'waiting 2 until 3000',
        e: 'connecting 3',
        o: 'open ada',
        f: 'waiting 1 until 6000',
        g: 'connecting 2',
        z: 'closed',
      });
      server.onConnect = (socket, n) => (n < 3 ? socket.drop() : socket.accept());
      conn = connect({ url: URL, WebSocketCtor: server.WebSocketCtor, scheduler, backoff: BACKOFF });
      play(cold, '5000ms x 1999ms c', { x: () => server.last.shutdown(), c: () => conn.close() });
    });
    expect(server.sockets).toHaveLength(4);
  });

  it('waits no longer than the longest delay', () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      let conn!: Connection;
      const retries$ = defer(() => conn.state$).pipe(
        filter((s) => s.status === 'waiting'),
        map((s) => (s.status === 'waiting' ? s.retryAt : 0)),
      );
      // Every attempt is refused: delays 1000, 2000, 4000, 4000.
      expectObservable(retries$).toBe('a 999ms b 1999ms c 3999ms d 999ms |', { a: 1000, b: 3000, c: 7000, d: 11000 });
      server.onConnect = (socket) => socket.drop();
      conn = connect({ url: URL, WebSocketCtor: server.WebSocketCtor, scheduler, backoff: BACKOFF });
      play(cold, '8000ms c', { c: () => conn.close() });
    });
  });

  it('pings every heartbeat and drops a socket silent for two heartbeats', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const server = new FakeServer();
      const conn = connect({ url: URL, WebSocketCtor: server.WebSocketCtor, scheduler, backoff: BACKOFF });
      // Welcomed with a 4 s heartbeat; the server answers the first ping only, so the
      // socket is silent from 4001 on: dropped at 12001, tried again at 13001.
      expectObservable(server.sent$, '^ 13000ms !').toBe('4s p 3999ms p 3999ms p', { p: { type: 'ping' } });
      expectObservable(conn.state$.pipe(map((s) => s.status)), '^ 13002ms !').toBe('(co) 11997ms w 999ms c', { c: 'connecting', o: 'open', w: 'waiting' });
      play(cold, 'w 4000ms p', { w: () => server.last.accept('ada', 4), p: () => server.last.push({ type: 'pong' }) });
    });
  });

  it('closes for good on close()', () => {
    const scheduler = newScheduler();
    const server = new FakeServer(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const conn = connect({ url: URL, WebSocketCtor: server.WebSocketCtor, scheduler, backoff: BACKOFF });
      expectObservable(conn.state$.pipe(map((s) => s.status))).toBe('(co) 6ms (z|)', { c: 'connecting', o: 'open', z: 'closed' });
      play(cold, 'w 9ms c', { w: () => server.last.accept(), c: () => conn.close() });
    });
    expect(server.sockets).toHaveLength(1);
  });
});
