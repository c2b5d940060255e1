// A stand-in for the browser's WebSocket that the test drives as if it were the server;
// it is handed to RxJS `webSocket` as its WebSocketCtor, so the real subject runs.
import { SchedulerLike, Subject, asyncScheduler } from 'rxjs';
import type { WebSocketSubjectConfig } from 'rxjs/webSocket';
import type { Outgoing, ServerFrame } from '../frames';

type Handler = ((event: unknown) => void) | null;

export class FakeSocket {
  readyState = 0;
  binaryType = 'blob';
  onopen: Handler = null;
  onmessage: Handler = null;
  onclose: Handler = null;
  onerror: Handler = null;

  constructor(
    readonly url: string,
    private readonly server: FakeServer,
  ) {}

  send(data: string): void {
    this.server.received(this, JSON.parse(data) as Outgoing);
  }

  close(code = 1000): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ wasClean: true, code });
  }

  /** The upgrade succeeds and the server says `welcome`. */
  accept(user = 'ada', heartbeat = 30): void {
    this.readyState = 1;
    this.onopen?.({});
    this.push({ type: 'welcome', session: `s${this.server.sockets.indexOf(this) + 1}`, user, protocol: 1, heartbeat });
  }

  push(frame: ServerFrame): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  /** The network fails (or the server is down): error, then an unclean close. */
  drop(): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({ wasClean: false, code: 1006 });
  }

  /** The server shuts down: a clean close with 1001. */
  shutdown(): void {
    this.readyState = 3;
    this.onclose?.({ wasClean: true, code: 1001 });
  }
}

export class FakeServer {
  readonly sockets: FakeSocket[] = [];
  /** Every frame any socket sent, in order. */
  readonly sent$ = new Subject<Outgoing>();
  /** Answers frames as they arrive (a reply to a join, say); nothing by default. */
  respond: (frame: Outgoing, socket: FakeSocket) => void = () => undefined;
  /** Answers each new socket (`n` counts from 1) in the frame it was made, once its handlers are set. */
  onConnect: (socket: FakeSocket, n: number) => void = () => undefined;

  constructor(private readonly scheduler: SchedulerLike = asyncScheduler) {}

  readonly WebSocketCtor = ((server: FakeServer) =>
    class {
      constructor(url: string) {
        const socket = new FakeSocket(url, server);
        const n = server.sockets.push(socket);
        server.scheduler.schedule(() => server.onConnect(socket, n));
        return socket;
      }
    })(this) as unknown as WebSocketSubjectConfig<unknown>['WebSocketCtor'];

  /** The newest socket. */
  get last(): FakeSocket {
    return this.sockets[this.sockets.length - 1];
  }

  received(socket: FakeSocket, frame: Outgoing): void {
    this.sent$.next(frame);
    this.respond(frame, socket);
  }
}
