// The WebSocket edge: each uWS socket becomes a Conn whose decoded frames flow into
// `inbound$`; pipelines' Effects come back through `run`. Fan-out is uWS topics (C++).
import { randomUUID } from 'crypto';
import { Observable, Subject } from 'rxjs';
import { isLeft } from 'fp-ts/Either';
import { decode } from '../domain/protocol';
import { ErrorCode, err } from '../domain/errors';
import { Conn, Effect, Inbound, ServerFrame, errorFrame } from '../streams/effects';
import { Identity } from './auth';
import { Logger } from './log';
import { Metrics } from './metrics';
import type { TemplatedApp, WebSocket } from './uws';

export interface GatewayOptions {
  readonly maxFrame: number;
  readonly heartbeat: number;
  readonly maxBackpressure: number;
  readonly rateLimit: number;
  readonly authenticate: (query: URLSearchParams) => Promise<Identity>;
  /** Starts every socket id: in a cluster, the worker that holds the socket. */
  readonly idPrefix: string;
}

interface Socket extends Conn {
  tokens: number;
  refilledAt: number;
  /** Set by uWS's close: the socket must not be touched after it. */
  closed: boolean;
}

export interface Gateway {
  readonly inbound$: Observable<Inbound>;
  /** Carries out effects in order. */
  readonly run: (effects: readonly Effect[]) => void;
  readonly connections: () => number;
  /** Closes every socket (1001) and ends `inbound$`. */
  readonly closeAll: () => void;
}

/** Every socket subscribes to its own topic: replies sent outside uWS's callbacks go there. */
const ownTopic = (conn: string) => `@${conn}`;

// uWS idle timeouts have a 4 s granularity.
const idleTimeout = (heartbeat: number) => Math.min(960, Math.ceil((heartbeat * 2) / 4) * 4);

export const attachGateway = (app: TemplatedApp, opts: GatewayOptions, metrics: Metrics, log: Logger): Gateway => {
  const inbound = new Subject<Inbound>();
  const sockets = new Map<string, WebSocket<Socket>>();

  const count = (frame: ServerFrame) => {
    metrics.framesOut.inc();
    if (frame.type === 'error') metrics.errors.inc({ code: frame.code as string });
  };
  const sendFrame = (ws: WebSocket<Socket>, frame: ServerFrame) => {
    if (ws.getUserData().closed) return;
    count(frame);
    ws.send(JSON.stringify(frame));
  };
  const reject = (ws: WebSocket<Socket>, code: ErrorCode, message: string, ref?: string | number) =>
    sendFrame(ws, errorFrame(err(code, message), ref));

  const withinRate = (s: Socket): boolean => {
    if (opts.rateLimit === 0) return true;
    const now = Date.now();
    s.tokens = Math.min(opts.rateLimit * 2, s.tokens + ((now - s.refilledAt) * opts.rateLimit) / 1000);
    s.refilledAt = now;
    if (s.tokens < 1) return false;
    s.tokens -= 1;
    return true;
  };

  // Inside uWS's callbacks a send is corked with everything else the callback sends.
  // Outside them (after a commit, say) an uncorked send is a syscall of its own, and on
  // a busy host that is most of the cost of a message; so there a send is published to
  // the socket's own topic instead, and uWS drains each socket's queue in one write, in
  // order with the topics' publishes.
  let inCallback = 0;
  const inside = <A extends unknown[]>(handler: (...a: A) => void) => (...a: A) => {
    inCallback++;
    try {
      handler(...a);
    } finally {
      inCallback--;
    }
  };

  app.ws<Socket>('/ws', {
    // Frames up to 4× the limit are read and refused with `too_large`; beyond that uWS
    // drops the connection rather than buffer it.
    maxPayloadLength: opts.maxFrame * 4,
    idleTimeout: idleTimeout(opts.heartbeat),
    sendPingsAutomatically: true,
    maxBackpressure: opts.maxBackpressure,
    // A socket that cannot keep up is closed rather than silently skipped: the client
    // reconnects and recovers with `since`, and memory stays bounded.
    closeOnBackpressureLimit: true as unknown as number,

    upgrade: (res, req, context) => {
      const query = new URLSearchParams(req.getQuery());
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      let aborted = false;
      res.onAborted(() => (aborted = true));
      opts.authenticate(query).then((who) => {
        if (aborted) return;
        res.cork(() => {
          if (!who.ok) res.writeStatus(who.status).writeHeader('content-type', 'text/plain').end(who.reason);
          else res.upgrade<Socket>({ id: opts.idPrefix + randomUUID(), user: who.user, tokens: opts.rateLimit * 2, refilledAt: Date.now(), closed: false }, key, protocol, extensions, context);
        });
      });
    },

    open: inside((ws: WebSocket<Socket>) => {
      const s = ws.getUserData();
      sockets.set(s.id, ws);
      ws.subscribe(ownTopic(s.id));
      metrics.connections.inc();
      sendFrame(ws, { type: 'welcome', session: s.id, user: s.user, protocol: 1, heartbeat: opts.heartbeat });
      inbound.next({ kind: 'open', conn: { id: s.id, user: s.user } });
    }),

    message: inside((ws: WebSocket<Socket>, message: ArrayBuffer, isBinary: boolean) => {
      metrics.framesIn.inc();
      const s = ws.getUserData();
      if (isBinary) return reject(ws, 'bad_frame', 'binary frames are not part of the protocol; send JSON text');
      if (message.byteLength > opts.maxFrame) return reject(ws, 'too_large', `frames are limited to ${opts.maxFrame} bytes`);
      if (!withinRate(s)) return reject(ws, 'rate_limited', `at most ${opts.rateLimit} frames a second`);
      const decoded = decode(Buffer.from(message).toString('utf8'));
      if (isLeft(decoded)) return sendFrame(ws, errorFrame(decoded.left, decoded.left.ref));
      const frame = decoded.right;
      if (frame.type === 'ping') return sendFrame(ws, frame.ref === undefined ? { type: 'pong' } : { type: 'pong', ref: frame.ref });
      try {
        inbound.next({ kind: 'frame', conn: { id: s.id, user: s.user }, frame });
      } catch (e) {
        // A bug in a pipeline must not take the server down with it.
        log.error({ err: e, type: frame.type }, 'frame handling failed');
        reject(ws, 'unavailable', 'the server failed to handle this frame', frame.ref);
      }
    }),

    close: inside((ws: WebSocket<Socket>) => {
      const s = ws.getUserData();
      s.closed = true;
      sockets.delete(s.id);
      metrics.connections.dec();
      inbound.next({ kind: 'close', conn: { id: s.id, user: s.user } });
    }),
  });

  const runOne = (effect: Effect) => {
    switch (effect.kind) {
      case 'send': {
        if (inCallback > 0) {
          const ws = sockets.get(effect.conn);
          if (ws) sendFrame(ws, effect.frame);
        } else if (sockets.has(effect.conn)) {
          count(effect.frame);
          app.publish(ownTopic(effect.conn), JSON.stringify(effect.frame));
        }
        return;
      }
      case 'publish': {
        const text = JSON.stringify(effect.frame);
        const from = effect.except === undefined ? undefined : sockets.get(effect.except);
        if (from) from.publish(effect.topic, text);
        else app.publish(effect.topic, text);
        return;
      }
      case 'subscribe':
        sockets.get(effect.conn)?.subscribe(effect.topic);
        return;
      case 'unsubscribe':
        sockets.get(effect.conn)?.unsubscribe(effect.topic);
        return;
    }
  };

  const run = (effects: readonly Effect[]) => {
    for (let i = 0; i < effects.length; i++) runOne(effects[i]);
  };

  return {
    inbound$: inbound.asObservable(),
    run,
    connections: () => sockets.size,
    closeAll: () => {
      for (const ws of [...sockets.values()]) ws.end(1001, 'server shutting down');
      inbound.complete();
    },
  };
};
