// The baseline for the chat bench: the smallest reasonable chat server on the `ws`
// library, speaking the same protocol subset (room.join, chat.send → chat.ack +
// chat.message to every member, room.history, ping). By default it persists like
// Rusher does: better-sqlite3, WAL, synchronous=NORMAL, the same table and index,
// group commit of everything that arrived in one event-loop turn, ack and broadcast
// after the commit. BASELINE_DB unset or empty: no persistence (memory only).
//
//   PORT=18200 BASELINE_DB=/tmp/b.db node dist/perf/chat/ws-baseline.js
import http from 'http';
import { randomUUID } from 'crypto';
import { WebSocket, WebSocketServer } from 'ws';

interface Statement {
  run(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface Database {
  pragma(s: string): unknown;
  exec(s: string): unknown;
  prepare(s: string): Statement;
  transaction<A extends unknown[]>(f: (...a: A) => void): (...a: A) => void;
  close(): void;
}

interface Message {
  room: string;
  seq: number;
  user: string;
  text: string;
  at: number;
  id: string;
}
interface Room {
  seq: number;
  readonly members: Set<WebSocket>;
  readonly users: Map<string, number>;
  readonly recent: Message[];
}
interface Pending {
  readonly ws: WebSocket;
  readonly ref: unknown;
  readonly m: Message;
}

const port = Number(process.env.PORT ?? 18200);
const host = process.env.HOST ?? '127.0.0.1';
const dbFile = process.env.BASELINE_DB ?? '';
const MAX_BUFFERED = 1024 * 1024;
const KEEP = 1000;

let db: Database | undefined;
let insertBatch: ((batch: Pending[]) => void) | undefined;
let selectHistory: Statement | undefined;
if (dbFile) {
  const Sqlite = require('better-sqlite3') as new (file: string) => Database;
  db = new Sqlite(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    'create table if not exists messages (room varchar(128) not null, seq integer not null, id varchar(128) not null, ' +
      'user varchar(64) not null, text text not null, at bigint not null, primary key (room, seq));' +
      'create index if not exists messages_room_id_index on messages (room, id);',
  );
  const insert = db.prepare('insert into messages (room, seq, id, user, text, at) values (?, ?, ?, ?, ?, ?)');
  insertBatch = db.transaction((batch: Pending[]) => {
    for (const { m } of batch) insert.run(m.room, m.seq, m.id, m.user, m.text, m.at);
  });
  selectHistory = db.prepare('select room, seq, id, user, text, at from messages where room = ? and seq < ? order by seq desc limit ?');
}

const rooms = new Map<string, Room>();
const joined = new Map<WebSocket, Set<string>>();
const users = new Map<WebSocket, string>();
let anon = 0;

const roomOf = (name: string): Room => {
  let r = rooms.get(name);
  if (!r) rooms.set(name, (r = { seq: 0, members: new Set(), users: new Map(), recent: [] }));
  return r;
};

const messageFrame = (m: Message) => ({ type: 'chat.message', room: m.room, seq: m.seq, user: m.user, text: m.text, at: m.at, id: m.id });

const reply = (ws: WebSocket, frame: Record<string, unknown>, ref: unknown) =>
  ws.send(JSON.stringify(ref === undefined ? frame : { ...frame, ref }));

// Serialize once, send the same bytes to every member; drop members that cannot keep up.
const broadcast = (room: Room, frame: Record<string, unknown>, except?: WebSocket) => {
  const data = Buffer.from(JSON.stringify(frame));
  for (const ws of room.members) {
    if (ws === except) continue;
    if (ws.bufferedAmount > MAX_BUFFERED) ws.terminate();
    else ws.send(data, { binary: false });
  }
};

let pending: Pending[] = [];
let scheduled = false;

// Group commit: whatever arrived during this event-loop turn is one transaction.
const flush = () => {
  scheduled = false;
  const batch = pending;
  pending = [];
  try {
    insertBatch?.(batch);
  } catch (e) {
    for (const p of batch) reply(p.ws, { type: 'error', code: 'unavailable', message: String(e) }, p.ref);
    return;
  }
  for (const p of batch) {
    const room = roomOf(p.m.room);
    if (p.ws.readyState === WebSocket.OPEN) reply(p.ws, { type: 'chat.ack', room: p.m.room, seq: p.m.seq, at: p.m.at, id: p.m.id }, p.ref);
    if (!db) {
      room.recent.push(p.m);
      if (room.recent.length > KEEP) room.recent.splice(0, room.recent.length - KEEP);
    }
    broadcast(room, messageFrame(p.m));
  }
};

const history = (name: string, before: number, limit: number): Message[] => {
  if (selectHistory) return (selectHistory.all(name, before, limit) as Message[]).reverse().map((m) => ({ ...m, at: Number(m.at) }));
  return roomOf(name).recent.filter((m) => m.seq < before).slice(-limit);
};

const leave = (ws: WebSocket, name: string) => {
  const room = rooms.get(name);
  if (!room || !room.members.delete(ws)) return;
  const user = users.get(ws) as string;
  const n = (room.users.get(user) ?? 1) - 1;
  if (n > 0) room.users.set(user, n);
  else {
    room.users.delete(user);
    broadcast(room, { type: 'presence.leave', room: name, user });
  }
};

const server = http.createServer((req, res) => {
  if (req.url === '/health') res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  else res.writeHead(404).end();
});
const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false, maxPayload: 1024 * 1024 });

wss.on('connection', (ws, req) => {
  const user = new URL(req.url ?? '/', 'http://x').searchParams.get('user') || `anon-${++anon}`;
  users.set(ws, user);
  joined.set(ws, new Set());
  reply(ws, { type: 'welcome', session: randomUUID(), user, protocol: 1, heartbeat: 30 }, undefined);

  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) return reply(ws, { type: 'error', code: 'bad_frame', message: 'binary frame' }, undefined);
    let f: { type?: string; ref?: unknown; room?: string; text?: string; id?: string; before?: number; limit?: number };
    try {
      f = JSON.parse(data.toString('utf8'));
    } catch {
      return reply(ws, { type: 'error', code: 'bad_json', message: 'not JSON' }, undefined);
    }
    const mine = joined.get(ws) as Set<string>;
    switch (f.type) {
      case 'room.join': {
        if (typeof f.room !== 'string') return reply(ws, { type: 'error', code: 'bad_request', message: 'room', path: 'room' }, f.ref);
        const room = roomOf(f.room);
        if (!room.members.has(ws)) {
          const n = room.users.get(user) ?? 0;
          if (n === 0) broadcast(room, { type: 'presence.join', room: f.room, user });
          room.users.set(user, n + 1);
          room.members.add(ws);
          mine.add(f.room);
        }
        return reply(ws, { type: 'room.joined', room: f.room, members: [...room.users.keys()], history: history(f.room, Number.MAX_SAFE_INTEGER, 50).map(messageFrame) }, f.ref);
      }
      case 'room.leave':
        if (typeof f.room === 'string' && mine.delete(f.room)) leave(ws, f.room);
        return reply(ws, { type: 'room.left', room: f.room }, f.ref);
      case 'chat.send': {
        if (typeof f.room !== 'string' || typeof f.text !== 'string' || f.text.length === 0) {
          return reply(ws, { type: 'error', code: 'bad_request', message: 'room and text', path: 'text' }, f.ref);
        }
        if (!mine.has(f.room)) return reply(ws, { type: 'error', code: 'not_joined', message: `join room ${f.room} first`, path: 'room' }, f.ref);
        const room = roomOf(f.room);
        pending.push({ ws, ref: f.ref, m: { room: f.room, seq: ++room.seq, user, text: f.text, at: Date.now(), id: f.id ?? randomUUID() } });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
        return;
      }
      case 'room.history': {
        if (typeof f.room !== 'string') return reply(ws, { type: 'error', code: 'bad_request', message: 'room', path: 'room' }, f.ref);
        const limit = Math.min(200, Math.max(1, f.limit ?? 50));
        return reply(ws, { type: 'room.history', room: f.room, messages: history(f.room, f.before ?? Number.MAX_SAFE_INTEGER, limit).map(messageFrame) }, f.ref);
      }
      case 'ping':
        return reply(ws, f.ref === undefined ? { type: 'pong' } : { type: 'pong', ref: f.ref }, undefined);
      default:
        return reply(ws, { type: 'error', code: 'unknown_type', message: `unknown frame type ${f.type}`, path: 'type' }, f.ref);
    }
  });

  ws.on('close', () => {
    for (const name of joined.get(ws) ?? []) leave(ws, name);
    joined.delete(ws);
    users.delete(ws);
  });
});

server.listen(port, host, () => process.stdout.write(`ws-baseline listening on ws://${host}:${port}/ws (${db ? `persisting to ${dbFile}` : 'no persistence'})\n`));

const stop = () => {
  for (const ws of wss.clients) ws.terminate();
  wss.close();
  server.close();
  if (pending.length > 0) flush();
  db?.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
