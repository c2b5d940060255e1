// A benchmark client socket: perf/chat/wire's client (raw RFC 6455 over `net` by default:
// cheap, writes batched per tick; or the `ws` library), each server frame parsed as JSON
// (document frames carry ops the client must apply, so there is no shortcut here).
import { ClientKind, connect } from '../chat/wire';
import type { ServerFrame } from './frames';

export interface DocSocket {
  send(text: string): void;
  close(): void;
}

export const openSocket = async (kind: ClientKind, port: number, user: string, onFrame: (f: ServerFrame) => void, onClose: (why: string) => void): Promise<DocSocket> => {
  let welcomed: () => void = () => undefined;
  const welcome = new Promise<void>((resolve) => (welcomed = resolve));
  let first = true;
  const client = await connect(kind, {
    port,
    path: `/ws?user=${encodeURIComponent(user)}`,
    onFrame: (buf, s, e) => {
      const f = JSON.parse(buf.toString('utf8', s, e)) as ServerFrame;
      if (first) {
        first = false;
        if (f.type === 'welcome') return welcomed();
      }
      onFrame(f);
    },
    onClose,
  });
  await welcome;
  return { send: (text) => client.send(text), close: () => client.close() };
};

/** Resolves with the doc.snapshot a fresh socket gets for `doc`: what anyone opening it now would see. */
export const fetchSnapshot = async (kind: ClientKind, port: number, doc: string): Promise<ServerFrame> => {
  let done: (f: ServerFrame) => void = () => undefined;
  let failed: (e: Error) => void = () => undefined;
  const got = new Promise<ServerFrame>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  const s = await openSocket(kind, port, 'checker', (f) => (f.type === 'doc.snapshot' ? done(f) : f.type === 'error' ? failed(new Error(`${doc}: ${f.code} ${f.message}`)) : undefined), (why) => failed(new Error(`checker socket: ${why}`)));
  s.send(JSON.stringify({ type: 'doc.open', ref: 'check', doc }));
  try {
    return await got;
  } finally {
    s.close();
  }
};
