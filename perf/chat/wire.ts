// Load-client sockets, two ways: a minimal raw WebSocket client over `net` (default:
// frames are counted by looking at a few bytes, writes are batched per tick, so the
// client is cheap next to the server) and the `ws` library (to compare the clients).
// Both hand each text frame to `onFrame(buf, start, end)` without copying or parsing it.
import net from 'net';
import crypto from 'crypto';
import WebSocket from 'ws';

export type OnFrame = (buf: Buffer, start: number, end: number) => void;

export interface Client {
  send(text: string): void;
  close(): void;
  readonly closed: boolean;
}

export type ClientKind = 'raw' | 'ws';

export interface ConnectOptions {
  readonly port: number;
  readonly path: string;
  readonly onFrame: OnFrame;
  readonly onClose: (why: string) => void;
  readonly timeoutMs?: number;
}

export const connect = (kind: ClientKind, o: ConnectOptions): Promise<Client> => (kind === 'ws' ? connectWs(o) : connectRaw(o));

// ---------------------------------------------------------------------------------
// `ws` library client
const connectWs = (o: ConnectOptions): Promise<Client> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${o.port}${o.path}`, { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: o.timeoutMs ?? 10_000 });
    let open = false;
    let closed = false;
    const client: Client = {
      send: (text) => ws.send(text),
      close: () => {
        closed = true;
        ws.terminate();
      },
      get closed() {
        return closed;
      },
    };
    ws.on('message', (data: Buffer) => o.onFrame(data, 0, data.length));
    ws.on('open', () => {
      open = true;
      resolve(client);
    });
    ws.on('error', (e) => {
      if (!open) reject(e);
    });
    ws.on('close', (code) => {
      const was = closed;
      closed = true;
      if (open && !was) o.onClose(`closed by server (${code})`);
    });
  });

// ---------------------------------------------------------------------------------
// raw client: RFC 6455 framing, client frames masked, server frames unmasked.
const connectRaw = (o: ConnectOptions): Promise<Client> =>
  new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port: o.port });
    sock.setNoDelay(true);
    const key = crypto.randomBytes(16).toString('base64');
    let head: Buffer | undefined = Buffer.alloc(0);
    let client: RawClient | undefined;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('handshake timeout'));
    }, o.timeoutMs ?? 10_000);
    sock.on('connect', () => {
      sock.write(
        `GET ${o.path} HTTP/1.1\r\nHost: 127.0.0.1:${o.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    sock.on('data', (chunk: Buffer) => {
      if (client) return client.onData(chunk);
      head = Buffer.concat([head as Buffer, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      const status = head.toString('latin1', 0, head.indexOf('\r\n'));
      if (!/^HTTP\/1\.1 101/.test(status)) {
        sock.destroy();
        return reject(new Error(`upgrade refused: ${status}`));
      }
      const rest = head.subarray(end + 4);
      head = undefined;
      client = new RawClient(sock, o.onFrame, o.onClose);
      resolve(client);
      if (rest.length > 0) client.onData(rest);
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      if (!client) reject(e);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      client?.closedByPeer();
    });
  });

class RawClient implements Client {
  private rest: Buffer | undefined;
  private out: string[] = [];
  private scheduled = false;
  private fragments: Buffer[] | undefined;
  private isClosed = false;
  private readonly mask = Buffer.alloc(4);

  constructor(
    private readonly sock: net.Socket,
    private readonly onFrame: OnFrame,
    private readonly onClose: (why: string) => void,
  ) {}

  get closed() {
    return this.isClosed;
  }

  send(text: string) {
    if (this.isClosed) return;
    this.out.push(text);
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flush);
    }
  }

  close() {
    if (this.isClosed) return;
    this.isClosed = true;
    this.sock.destroy();
  }

  closedByPeer() {
    if (this.isClosed) return;
    this.isClosed = true;
    this.onClose('closed by server');
  }

  // Every frame queued during this tick goes out in one write.
  private readonly flush = () => {
    this.scheduled = false;
    const texts = this.out;
    this.out = [];
    if (this.isClosed || texts.length === 0) return;
    let total = 0;
    const sizes = new Array<number>(texts.length);
    for (let i = 0; i < texts.length; i++) {
      const n = Buffer.byteLength(texts[i]);
      sizes[i] = n;
      total += n + (n < 126 ? 6 : n < 65536 ? 8 : 14);
    }
    const buf = Buffer.allocUnsafe(total);
    // One masking key per write: the server only XORs; it does not check randomness.
    crypto.randomFillSync(this.mask);
    const m0 = this.mask[0], m1 = this.mask[1], m2 = this.mask[2], m3 = this.mask[3];
    let p = 0;
    for (let i = 0; i < texts.length; i++) {
      const n = sizes[i];
      buf[p++] = 0x81;
      if (n < 126) buf[p++] = 0x80 | n;
      else if (n < 65536) {
        buf[p++] = 0x80 | 126;
        buf.writeUInt16BE(n, p);
        p += 2;
      } else {
        buf[p++] = 0x80 | 127;
        buf.writeUInt32BE(0, p);
        buf.writeUInt32BE(n, p + 4);
        p += 8;
      }
      buf[p++] = m0;
      buf[p++] = m1;
      buf[p++] = m2;
      buf[p++] = m3;
      const s = p;
      buf.write(texts[i], p, n, 'utf8');
      p += n;
      let j = s;
      for (; j + 3 < p; j += 4) {
        buf[j] ^= m0;
        buf[j + 1] ^= m1;
        buf[j + 2] ^= m2;
        buf[j + 3] ^= m3;
      }
      for (let k = 0; j < p; j++, k++) buf[j] ^= this.mask[k];
    }
    this.sock.write(buf);
  };

  private control(op: number, payload: Buffer) {
    const n = Math.min(payload.length, 125);
    const buf = Buffer.allocUnsafe(6 + n);
    buf[0] = 0x80 | op;
    buf[1] = 0x80 | n;
    crypto.randomFillSync(buf, 2, 4);
    for (let i = 0; i < n; i++) buf[6 + i] = payload[i] ^ buf[2 + (i & 3)];
    this.sock.write(buf);
  }

  onData(chunk: Buffer) {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = undefined;
    const n = buf.length;
    let i = 0;
    while (n - i >= 2) {
      const b0 = buf[i];
      const b1 = buf[i + 1];
      let len = b1 & 0x7f;
      let h = 2;
      if (len === 126) {
        if (n - i < 4) break;
        len = buf.readUInt16BE(i + 2);
        h = 4;
      } else if (len === 127) {
        if (n - i < 10) break;
        len = buf.readUInt32BE(i + 2) * 2 ** 32 + buf.readUInt32BE(i + 6);
        h = 10;
      }
      if (b1 & 0x80) {
        this.close();
        this.onClose('server sent a masked frame');
        return;
      }
      if (n - i < h + len) break;
      const s = i + h;
      const e = s + len;
      i = e;
      const op = b0 & 0x0f;
      const fin = (b0 & 0x80) !== 0;
      if (op === 1 || op === 2) {
        if (fin) this.onFrame(buf, s, e);
        else this.fragments = [buf.subarray(s, e)];
      } else if (op === 0) {
        this.fragments?.push(buf.subarray(s, e));
        if (fin && this.fragments) {
          const whole = Buffer.concat(this.fragments);
          this.fragments = undefined;
          this.onFrame(whole, 0, whole.length);
        }
      } else if (op === 9) this.control(0xa, buf.subarray(s, e));
      else if (op === 8) {
        const code = len >= 2 ? buf.readUInt16BE(s) : 1005;
        if (!this.isClosed) {
          this.control(0x8, buf.subarray(s, Math.min(e, s + 2)));
          this.isClosed = true;
          this.sock.end();
          this.onClose(`closed by server (${code})`);
        }
        return;
      }
    }
    if (i < n) this.rest = i === 0 ? buf : buf.subarray(i);
  }
}

// ---------------------------------------------------------------------------------
// Frame classification without JSON.parse. Both servers serialize `type` first, so
// a frame starts with {"type":"…; anything else falls back to JSON.parse.
export const enum Kind {
  Other = 0,
  Message = 1,
  Ack = 2,
  Error = 3,
  Joined = 4,
  History = 5,
}

const C = (s: string) => s.charCodeAt(0);

export const kindOf = (b: Buffer, s: number, e: number): Kind => {
  if (e - s > 16 && b[s] === 0x7b && b[s + 1] === 0x22 && b[s + 2] === 0x74 && b[s + 6] === 0x22 && b[s + 7] === 0x3a && b[s + 8] === 0x22) {
    const c = b[s + 9];
    if (c === C('c') && b[s + 13] === C('.')) {
      const d = b[s + 14];
      if (d === C('m') && b[s + 15] === C('e')) return Kind.Message;
      if (d === C('a')) return Kind.Ack;
      return Kind.Other;
    }
    if (c === C('e')) return Kind.Error;
    if (c === C('r') && b[s + 13] === C('.')) {
      const d = b[s + 14];
      if (d === C('j')) return Kind.Joined;
      if (d === C('h')) return Kind.History;
    }
    return Kind.Other;
  }
  try {
    const t = (JSON.parse(b.toString('utf8', s, e)) as { type?: string }).type;
    return t === 'chat.message' ? Kind.Message : t === 'chat.ack' ? Kind.Ack : t === 'error' ? Kind.Error : t === 'room.joined' ? Kind.Joined : t === 'room.history' ? Kind.History : Kind.Other;
  } catch {
    return Kind.Other;
  }
};

/** The integer after `"key":` in b[s, e), or NaN. Keys are JSON-quoted, so text cannot fake them. */
export const intField = (b: Buffer, s: number, e: number, key: Buffer): number => {
  const at = b.indexOf(key, s);
  if (at < 0 || at >= e) return NaN;
  let p = at + key.length;
  let v = 0;
  let digits = 0;
  for (; p < e; p++) {
    const c = b[p];
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    digits++;
  }
  return digits > 0 ? v : NaN;
};

export const SEQ = Buffer.from('"seq":');
export const REF = Buffer.from('"ref":');
