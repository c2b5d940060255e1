// A feeds load process (forked by bench.ts): many sockets, each one user. It posts
// (closed loop with a window of unacked posts, or open loop at a rate), listens for
// feed.activity frames and times their delivery from the send time the poster put in
// `object`, or reads timelines one at a time. Frames are told apart by their first
// bytes; only what is timed is parsed.
import { performance } from 'perf_hooks';
import { Client, REF, connect, intField } from '../chat/wire';

export type LoadCommand =
  | { readonly cmd: 'connect'; readonly port: number; readonly users: readonly string[]; readonly subscribe: boolean }
  /** Closed loop: `window` unacked posts a socket; or open loop: `rate` posts/s over all sockets. */
  | { readonly cmd: 'post'; readonly durationMs: number; readonly window?: number; readonly rate?: number; readonly visibility?: string }
  /** One post of socket 0, its send time in `object`; answers with the ack latency. */
  | { readonly cmd: 'postOne' }
  /** From now on, time every feed.activity frame whose object is a send time; `report` returns them. */
  | { readonly cmd: 'listen' }
  | { readonly cmd: 'report' }
  /** `n` timeline reads by socket 0, one at a time: the first page again and again, or paging back with `before`. */
  | { readonly cmd: 'timeline'; readonly n: number; readonly paging: boolean; readonly limit: number }
  | { readonly cmd: 'exit' };

const send = (m: unknown) => process.send?.(m);
const now = () => performance.timeOrigin + performance.now();
const C = Buffer.from('{"type":"feed.');
const OBJECT_T = Buffer.from('"object":"t');

interface Sock {
  readonly c: Client;
  /** Send times of unacked requests by ref. */
  readonly sent: Map<number, number>;
}

let socks: Sock[] = [];
let nextRef = 0;
let errors = 0;
let errorSample = '';
let listening = false;
let delivered: number[] = [];
/** The ack / reply latencies of the current command, and what to do on each. */
let latencies: number[] = [];
let onReply: (s: Sock, ref: number, b: Buffer, st: number, en: number) => void = () => undefined;

const typeOf = (b: Buffer, st: number): string => {
  if (b.compare(C, 0, C.length, st, st + C.length) !== 0) return b.toString('utf8', st + 9, Math.min(st + 24, b.length)).split('"')[0];
  const from = st + C.length;
  const end = b.indexOf(0x22, from);
  return `feed.${b.toString('utf8', from, end)}`;
};

const onFrame = (s: Sock) => (b: Buffer, st: number, en: number) => {
  const type = typeOf(b, st);
  if (type === 'feed.activity') {
    if (!listening) return;
    const at = b.indexOf(OBJECT_T, st);
    if (at < 0 || at >= en) return;
    const from = at + OBJECT_T.length;
    delivered.push(now() - Number(b.toString('utf8', from, b.indexOf(0x22, from))));
    return;
  }
  if (type === 'error') {
    errors++;
    if (!errorSample) errorSample = b.toString('utf8', st, Math.min(en, st + 300));
  }
  const ref = intField(b, st, en, REF);
  if (Number.isNaN(ref)) return;
  const t = s.sent.get(ref);
  if (t === undefined) return;
  s.sent.delete(ref);
  latencies.push(now() - t);
  onReply(s, ref, b, st, en);
};

const request = (s: Sock, frame: Record<string, unknown>) => {
  const ref = ++nextRef;
  s.sent.set(ref, now());
  s.c.send(JSON.stringify({ ...frame, ref }));
  return ref;
};

const connectAll = async (c: Extract<LoadCommand, { cmd: 'connect' }>) => {
  const batch = 200;
  for (let i = 0; i < c.users.length; i += batch) {
    const made = await Promise.all(
      c.users.slice(i, i + batch).map(async (user) => {
        const sent = new Map<number, number>();
        const sock: Sock = { c: undefined as unknown as Client, sent };
        (sock as { c: Client }).c = await connect('raw', { port: c.port, path: `/ws?user=${user}`, onFrame: (b, st, en) => onFrame(sock)(b, st, en), onClose: () => errors++ });
        return sock;
      }),
    );
    socks.push(...made);
  }
  if (c.subscribe) {
    let left = socks.length;
    await new Promise<void>((resolve) => {
      onReply = () => --left === 0 && resolve();
      for (const s of socks) request(s, { type: 'feed.subscribe' });
    });
  }
  latencies = [];
  onReply = () => undefined;
};

const post = async (c: Extract<LoadCommand, { cmd: 'post' }>) => {
  latencies = [];
  const frame = { type: 'feed.post', verb: 'post', object: 'x', text: 'a post from the bench', ...(c.visibility ? { visibility: c.visibility } : {}) };
  const until = now() + c.durationMs;
  let acks = 0;
  if (c.window !== undefined) {
    await new Promise<void>((resolve) => {
      let open = socks.length;
      onReply = (s) => {
        acks++;
        if (now() < until) request(s, frame);
        else if (s.sent.size === 0 && --open === 0) resolve();
      };
      for (const s of socks) for (let i = 0; i < c.window!; i++) request(s, frame);
    });
  } else {
    // Open loop: each tick sends what the schedule says is due, round robin over the sockets.
    const every = 1000 / (c.rate as number);
    const start = now();
    let sent = 0;
    onReply = () => acks++;
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const due = Math.min(Math.floor((now() - start) / every), Math.floor(c.durationMs / every));
        for (; sent < due; sent++) {
          const s = socks[sent % socks.length];
          const ref = request(s, frame);
          // Latency from when the post was due, not when the timer got round to it.
          s.sent.set(ref, start + sent * every);
        }
        if (now() >= until) {
          clearInterval(tick);
          setTimeout(resolve, 2000);
        }
      }, 1);
    });
  }
  onReply = () => undefined;
  send({ ev: 'posted', acks, latencies: Float64Array.from(latencies), errors, errorSample });
};

const postOne = () => {
  const s = socks[0];
  onReply = () => {
    onReply = () => undefined;
    send({ ev: 'postedOne', latency: latencies.pop() });
  };
  const ref = ++nextRef;
  const t = now();
  s.sent.set(ref, t);
  s.c.send(JSON.stringify({ type: 'feed.post', verb: 'post', object: `t${t}`, ref }));
};

const timeline = async (c: Extract<LoadCommand, { cmd: 'timeline' }>) => {
  latencies = [];
  const s = socks[0];
  let before: string | null = null;
  let items = 0;
  await new Promise<void>((resolve) => {
    let left = c.n;
    const next = () => request(s, { type: 'feed.timeline', limit: c.limit, ...(c.paging && before ? { before } : {}) });
    onReply = (_s, _ref, b, st, en) => {
      const page = JSON.parse(b.toString('utf8', st, en)) as { activities?: unknown[]; next?: string | null };
      items += page.activities?.length ?? 0;
      before = page.next ?? null;
      if (--left === 0) resolve();
      else next();
    };
    next();
  });
  onReply = () => undefined;
  send({ ev: 'timelined', latencies: Float64Array.from(latencies), items, errors, errorSample });
};

process.on('message', (c: LoadCommand) => {
  const fail = (e: Error) => send({ ev: 'error', message: e.stack ?? String(e) });
  switch (c.cmd) {
    case 'connect':
      connectAll(c).then(() => send({ ev: 'connected', sockets: socks.length, errors, errorSample }), fail);
      return;
    case 'post':
      post(c).catch(fail);
      return;
    case 'postOne':
      postOne();
      return;
    case 'listen':
      delivered = [];
      listening = true;
      send({ ev: 'listening' });
      return;
    case 'report':
      listening = false;
      send({ ev: 'report', delivered: Float64Array.from(delivered), errors, errorSample });
      return;
    case 'timeline':
      timeline(c).catch(fail);
      return;
    case 'exit':
      for (const s of socks) s.c.close();
      socks = [];
      process.exit(0);
  }
});
send({ ev: 'ready' });
