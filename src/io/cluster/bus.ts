// The cluster's bus over Redis pub/sub: one channel per worker; what a worker sends to
// another in one event-loop turn goes as one message, in order. Redis keeps the order
// of one connection's publishes, so each pair of workers sees the other's items in the
// order they were sent — which is all the protocol's ordering needs (an op's ack before
// the next op, a room's messages in seq order).
import Redis from 'ioredis';
import { Observable, Subject } from 'rxjs';
import type { Effect, Inbound } from '../../streams/effects';

/** What crosses: an event for the owner's pipelines, or an effect for the receiver's sockets. */
export type Item = { readonly k: 'in'; readonly e: Inbound } | { readonly k: 'fx'; readonly e: Effect };

export interface Bus {
  /** Queues an item for worker `to`; the turn's items leave together. */
  send(to: number, item: Item): void;
  /** Batches received, in order. */
  readonly received$: Observable<readonly Item[]>;
  close(): Promise<void>;
}

const channel = (cluster: string, worker: number) => `${cluster}:worker:${worker}`;

export const openBus = async (url: string, cluster: string, me: number): Promise<Bus> => {
  // A subscribed connection can only subscribe, so publishing takes a second one.
  const options = { lazyConnect: true, maxRetriesPerRequest: null };
  const pub = new Redis(url, options);
  const sub = new Redis(url, options);
  await Promise.all([pub.connect(), sub.connect()]);
  const received = new Subject<readonly Item[]>();
  sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => received.next(JSON.parse(message.toString('utf8')) as Item[]));
  await sub.subscribe(channel(cluster, me));

  let outbox = new Map<number, Item[]>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const batches = outbox;
    outbox = new Map();
    for (const [to, items] of batches) void pub.publish(channel(cluster, to), JSON.stringify(items));
  };

  return {
    send: (to, item) => {
      const items = outbox.get(to);
      if (items === undefined) outbox.set(to, [item]);
      else items.push(item);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    received$: received.asObservable(),
    close: async () => {
      flush();
      received.complete();
      // Wait for the last publishes, but not for a Redis that is gone (quit would
      // retry forever): after a bounded wait, drop the connections.
      await Promise.race([pub.quit(), new Promise((r) => setTimeout(r, 2000).unref())]);
      pub.disconnect();
      sub.disconnect();
    },
  };
};
