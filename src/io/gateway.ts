// The WebSocket edge: each uWS socket becomes a Conn whose decoded frames flow into
// `inbound$`; pipelines' Effects come back through `run`. Fan-out is uWS topics (C++).
import { randomUUID } from 'crypto';
import { Observable, Subject } from 'rxjs';
import { isLeft } from 'fp-ts/Either';
import { FrameOf, Ref, decode } from '../domain/protocol';
import { Bucket, fullBucket, take } from '../domain/limits';
import { ErrorCode, err } from '../domain/errors';
import { Conn, Effect, Inbound, ServerFrame, errorFrame, send, withRef } from '../streams/effects';
import { Identity, Verify } from './auth';
import { Logger } from './log';
import { Metrics } from './metrics';
import type { HttpRequest, HttpResponse, TemplatedApp, WebSocket } from './uws';

export interface GatewayOptions {
  readonly maxFrame: number;
  readonly heartbeat: number;
  readonly maxBackpressure: number;
  readonly rateLimit: number;
  readonly authenticate: (query: URLSearchParams, authorization: string) => Promise<Identity>;
  /** Verifies a token sent in `auth.refresh`; undefined when token auth is off. */
  readonly verify: Verify | undefined;
  /** Starts every socket id: in a cluster, the worker that holds the socket. */
  readonly idPrefix: string;
  /** Connection attempts a second from one client address (bursts of twice that); 0: no limit. */
  readonly connectsPerIp: number;
  /** Sockets one user may hold open at once; 0: no limit. */
  readonly socketsPerUser: number;
  /** Behind a proxy, the client's address is the first of X-Forwarded-For. */
  readonly trustProxy: boolean;
}

interface Socket {
  /** Replaced (never changed) when the token is refreshed. */
  conn: Conn;
  readonly bucket: Bucket;
  /** When the token expires, in milliseconds since the epoch. */
  exp?: number;
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

/** WebSocket close codes of our own (4000–4999 are the application's). */
export const CLOSE_TOKEN_EXPIRED = 4001;
export const CLOSE_TOO_MANY_SOCKETS = 4029;

export const attachGateway = (app: TemplatedApp, opts: GatewayOptions, metrics: Metrics, log: Logger): Gateway => {
  const inbound = new Subject<Inbound>();
  const sockets = new Map<string, WebSocket<Socket>>();
  const socketsOf = new Map<string, number>();
  const connects = new Map<string, Bucket>();
  // Sockets whose token has an `exp`: a sweep a second tells and closes the expired.
  const expiring = new Set<WebSocket<Socket>>();

  const count = (frame: ServerFrame) => {
    metrics.framesOut.inc();
    if (frame.type === 'error') metrics.errors.inc({ code: frame.code as string });
  };
  // A reply bigger than a socket may buffer would close the socket: it is answered with
  // `too_large` instead (a fence list of huge shapes, say), and the socket lives on.
  const encode = (frame: ServerFrame): string => {
    const text = JSON.stringify(frame);
    if (text.length <= opts.maxBackpressure / 3 || Buffer.byteLength(text) <= opts.maxBackpressure) return text;
    const size = Buffer.byteLength(text);
    return JSON.stringify(errorFrame(err('too_large', `the reply (${frame.type}) would be ${size} bytes, over the ${opts.maxBackpressure} a socket may buffer`), frame.ref as Ref | undefined));
  };
  const sendFrame = (ws: WebSocket<Socket>, frame: ServerFrame) => {
    if (ws.getUserData().closed) return;
    count(frame);
    ws.send(encode(frame));
  };
  const reject = (ws: WebSocket<Socket>, code: ErrorCode, message: string, ref?: string | number, path?: string) =>
    sendFrame(ws, errorFrame(err(code, message, path), ref));

  const withinRate = (s: Socket): boolean => opts.rateLimit === 0 || take(s.bucket, Date.now(), opts.rateLimit, opts.rateLimit * 2);

  const connectAllowed = (address: string): boolean => {
    if (opts.connectsPerIp === 0) return true;
    const now = Date.now();
    let bucket = connects.get(address);
    if (bucket === undefined) connects.set(address, (bucket = fullBucket(opts.connectsPerIp * 2, now)));
    return take(bucket, now, opts.connectsPerIp, opts.connectsPerIp * 2);
  };
  const addressOf = (res: HttpResponse, req: HttpRequest): string => {
    const forwarded = opts.trustProxy ? req.getHeader('x-forwarded-for').split(',')[0].trim() : '';
    return forwarded || Buffer.from(res.getRemoteAddressAsText()).toString();
  };
  const socketCount = (user: string) => socketsOf.get(user) ?? 0;
  const tooManySockets = (user: string) => opts.socketsPerUser !== 0 && socketCount(user) >= opts.socketsPerUser;

  const sweep = setInterval(() => {
    const now = Date.now();
    // A full bucket holds nothing a new one would not: forget it.
    for (const [address, bucket] of connects) if (now - bucket.at > 2000) connects.delete(address);
    for (const ws of expiring) {
      const s = ws.getUserData();
      if (s.exp === undefined || s.exp > now) continue;
      expiring.delete(ws);
      if (s.closed) continue;
      ws.cork(() => {
        sendFrame(ws, { type: 'auth.expired', message: 'the token has expired; connect again with a new one (or send auth.refresh before exp)' });
        ws.end(CLOSE_TOKEN_EXPIRED, 'token expired');
      });
    }
  }, 1000);
  sweep.unref();

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
      if (!connectAllowed(addressOf(res, req))) {
        res.writeStatus('429 Too Many Requests').writeHeader('retry-after', '1').writeHeader('content-type', 'text/plain').end('too many connection attempts from this address');
        return;
      }
      const query = new URLSearchParams(req.getQuery());
      const authorization = req.getHeader('authorization');
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      let aborted = false;
      res.onAborted(() => (aborted = true));
      opts.authenticate(query, authorization).then((who) => {
        if (aborted) return;
        res.cork(() => {
          if (!who.ok) res.writeStatus(who.status).writeHeader('content-type', 'text/plain').end(who.reason);
          else if (tooManySockets(who.user)) {
            res.writeStatus('429 Too Many Requests').writeHeader('content-type', 'text/plain').end(`user ${who.user} already has ${opts.socketsPerUser} sockets open`);
          } else {
            const conn: Conn = { id: opts.idPrefix + randomUUID(), user: who.user, access: who.access };
            const data: Socket = { conn, bucket: fullBucket(opts.rateLimit * 2, Date.now()), closed: false };
            if (who.exp !== undefined) data.exp = who.exp;
            res.upgrade<Socket>(data, key, protocol, extensions, context);
          }
        });
      });
    },

    open: inside((ws: WebSocket<Socket>) => {
      const s = ws.getUserData();
      const { conn } = s;
      // Upgrades that were in flight together may pass the check above together.
      if (tooManySockets(conn.user)) {
        s.closed = true;
        ws.end(CLOSE_TOO_MANY_SOCKETS, `at most ${opts.socketsPerUser} sockets per user`);
        return;
      }
      socketsOf.set(conn.user, socketCount(conn.user) + 1);
      sockets.set(conn.id, ws);
      if (s.exp !== undefined) expiring.add(ws);
      ws.subscribe(ownTopic(conn.id));
      metrics.connections.inc();
      sendFrame(ws, { type: 'welcome', session: conn.id, user: conn.user, protocol: 1, heartbeat: opts.heartbeat });
      inbound.next({ kind: 'open', conn });
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
      if (frame.type === 'auth.refresh') return refresh(ws, frame);
      try {
        inbound.next({ kind: 'frame', conn: s.conn, frame });
      } catch (e) {
        // A bug in a pipeline must not take the server down with it.
        log.error({ err: e, type: frame.type }, 'frame handling failed');
        reject(ws, 'unavailable', 'the server failed to handle this frame', frame.ref);
      }
    }),

    close: inside((ws: WebSocket<Socket>) => {
      const s = ws.getUserData();
      expiring.delete(ws);
      // A socket turned away in open was never counted.
      if (s.closed) return;
      s.closed = true;
      const { conn } = s;
      sockets.delete(conn.id);
      const left = socketCount(conn.user) - 1;
      if (left > 0) socketsOf.set(conn.user, left);
      else socketsOf.delete(conn.user);
      metrics.connections.dec();
      inbound.next({ kind: 'close', conn });
    }),
  });

  // A new token for the same user: later actions are checked against its claims, and the
  // pipelines undo what it no longer allows (rooms, documents, subscriptions).
  const refresh = (ws: WebSocket<Socket>, frame: FrameOf<'auth.refresh'>) => {
    const s = ws.getUserData();
    if (opts.verify === undefined) return reject(ws, 'bad_request', 'token auth is off on this server: there is nothing to refresh', frame.ref, 'token');
    opts.verify(frame.token).then((who) => {
      if (s.closed) return;
      const reply = (f: ServerFrame) => run([send(s.conn.id, withRef(f, frame.ref))]);
      if (!who.ok) return reply(errorFrame(err('forbidden', who.reason, 'token')));
      if (who.user !== s.conn.user) return reply(errorFrame(err('forbidden', `a refreshed token must be for ${s.conn.user}, not ${who.user}`, 'token')));
      s.conn = { ...s.conn, access: who.access };
      s.exp = who.exp;
      if (who.exp === undefined) expiring.delete(ws);
      else expiring.add(ws);
      inbound.next({ kind: 'access', conn: s.conn });
      reply(who.exp === undefined ? { type: 'auth.refreshed', user: who.user } : { type: 'auth.refreshed', user: who.user, exp: who.exp });
    });
  };

  const runOne = (effect: Effect) => {
    switch (effect.kind) {
      case 'send': {
        if (inCallback > 0) {
          const ws = sockets.get(effect.conn);
          if (ws) sendFrame(ws, effect.frame);
        } else if (sockets.has(effect.conn)) {
          count(effect.frame);
          app.publish(ownTopic(effect.conn), encode(effect.frame));
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
      clearInterval(sweep);
      for (const ws of [...sockets.values()]) ws.end(1001, 'server shutting down');
      inbound.complete();
    },
  };
};
