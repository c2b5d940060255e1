// The composition root: configuration, store, pipelines, gateway, signals.
import { randomUUID } from 'crypto';
import { merge } from 'rxjs';
import { loadConfig } from './io/config';
import { createLogger } from './io/log';
import { listen, loadUws } from './io/uws';
import { openStore } from './io/store';
import { createMetrics, measuredWrite } from './io/metrics';
import { authenticator } from './io/auth';
import { attachGateway } from './io/gateway';
import { attachHttp } from './io/http';
import { commitStage } from './streams/commit';
import { chat } from './streams/chat';
import { docs } from './streams/docs';
import { geofence } from './streams/geofence';

const main = async () => {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const uws = loadUws(config.allowUwsFallback);
  const store = await openStore(config.db, config.durability);
  const metrics = createMetrics();
  const rooms = await store.rooms(config.dedupeWindow);
  const [fences, devices] = await Promise.all([store.fences(), store.devices()]);

  const write = measuredWrite(store.write, metrics, (e, size) => log.error({ error: String((e as Error)?.message ?? e).slice(0, 300), size }, 'commit failed'));

  const app = uws.App();
  const gateway = attachGateway(app, { ...config, authenticate: authenticator(config.jwtSecret) }, metrics, log);
  attachHttp(app, metrics, store.ping, config.clientDir);

  const effects$ = merge(
    chat(gateway.inbound$, { history: store.history, newId: randomUUID, rooms, dedupeWindow: config.dedupeWindow }),
    geofence(gateway.inbound$, { fences, devices, newId: randomUUID }),
    docs(gateway.inbound$, { load: (doc) => store.loadDoc(doc, config.docKeep), keep: config.docKeep, snapshotEvery: config.docSnapshotEvery, idleMs: 60_000 }),
  ).pipe(commitStage(write, { maxSize: config.batchSize, maxDelayMs: config.batchMs }));
  // Completes once the gateway's inbound stream has ended and the last batch is committed.
  const drained = new Promise<void>((resolve) =>
    effects$.subscribe({
      next: gateway.run,
      error: (e) => {
        log.fatal({ err: e }, 'a pipeline failed');
        resolve();
      },
      complete: resolve,
    }),
  );

  const listening = await listen(app, config.host, config.port, true);
  if (!listening) throw new Error(`cannot listen on ${config.host}:${config.port} (is the port taken?)`);
  log.info({ host: config.host, port: config.port, db: config.db, auth: config.jwtSecret ? 'jwt' : 'user' }, `rusher accepting connections on ws://${config.host}:${config.port}/ws`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: closing sockets, flushing commits');
    uws.us_listen_socket_close(listening);
    gateway.closeAll();
    await drained;
    await store.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
};

main().catch((e: Error) => {
  process.stderr.write(`rusher: cannot start: ${e.message}\n`);
  process.exit(1);
});
