// A worker's place in the cluster: frames from its sockets go to the worker that owns
// them (shard.ts), effects for sockets elsewhere go to the worker holding them, and
// every publish reaches every worker's sockets. A socket's id starts with its worker.
import { Observable, Subject } from 'rxjs';
import { GEO_OWNER, ownerOf } from '../../domain/shard';
import type { Conn, Effect, Inbound } from '../../streams/effects';
import type { Bus, Item } from './bus';
import type { Gateway } from '../gateway';

export const connPrefix = (worker: number) => `${worker}.`;
const workerOf = (conn: string): number => Number(conn.slice(0, conn.indexOf('.')));

export interface Routed {
  /** Every event this worker's pipelines own: from its sockets and from the others'. */
  readonly inbound$: Observable<Inbound>;
  /** Carries out the pipelines' effects wherever their sockets are. */
  readonly run: (effects: readonly Effect[]) => void;
}

export const route = (gateway: Gateway, bus: Bus, me: number, workers: number): Routed => {
  const inbound = new Subject<Inbound>();
  // Which other workers have heard of each of this worker's sockets (a bit a worker:
  // sockets are many, workers few): they get its `open` before its first frame, and
  // its `close`. The fence owner hears of every socket, since fence events also go to
  // the sockets of a device's user.
  const told = new Map<string, number>();

  const forward = (to: number, conn: Conn, e: Inbound) => {
    const bits = told.get(conn.id) ?? 0;
    if ((bits & (1 << to)) === 0) {
      told.set(conn.id, bits | (1 << to));
      if (e.kind !== 'open') bus.send(to, { k: 'in', e: { kind: 'open', conn } });
    }
    bus.send(to, { k: 'in', e });
  };

  gateway.inbound$.subscribe({
    next: (e) => {
      if (e.kind === 'open') {
        inbound.next(e);
        if (GEO_OWNER !== me) forward(GEO_OWNER, e.conn, e);
        return;
      }
      // A close or a new token reaches every worker that knows the socket.
      if (e.kind === 'close' || e.kind === 'access') {
        inbound.next(e);
        const bits = told.get(e.conn.id) ?? 0;
        for (let to = 0; to < workers; to++) if (bits & (1 << to)) bus.send(to, { k: 'in', e });
        if (e.kind === 'close') told.delete(e.conn.id);
        return;
      }
      const owner = ownerOf(e.frame, workers);
      if (owner === undefined || owner === me) inbound.next(e);
      else forward(owner, e.conn, e);
    },
    complete: () => inbound.complete(),
  });

  bus.received$.subscribe((items: readonly Item[]) => {
    for (const item of items) {
      if (item.k === 'in') inbound.next(item.e);
      else gateway.run([item.e]);
    }
  });

  const run = (effects: readonly Effect[]) => {
    const local: Effect[] = [];
    for (const e of effects) {
      if (e.kind === 'publish') {
        local.push(e);
        for (let w = 0; w < workers; w++) if (w !== me) bus.send(w, { k: 'fx', e });
        continue;
      }
      const w = workerOf(e.conn);
      if (w === me) local.push(e);
      else bus.send(w, { k: 'fx', e });
    }
    gateway.run(local);
  };

  return { inbound$: inbound.asObservable(), run };
};
