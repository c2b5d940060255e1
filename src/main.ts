// The composition root: configuration, store, pipelines, gateway, cluster, signals.
import path from 'path';
import { randomUUID } from 'crypto';
import { Observable, merge } from 'rxjs';
import { Config, loadConfig, printableDb } from './io/config';
import { Logger, createLogger } from './io/log';
import { listen, loadUws } from './io/uws';
import { openStore } from './io/store';
import { createMetrics, measuredWrite } from './io/metrics';
import { authenticator, tokenAuthOn, tokenVerifier } from './io/auth';
import { attachGateway } from './io/gateway';
import { attachHttp, attachMetrics } from './io/http';
import { openBus } from './io/cluster/bus';
import { connPrefix, route } from './io/cluster/router';
import { FromWorker, ToWorker, runPrimary } from './io/cluster/primary';
import { GEO_OWNER, feedOwner, roomOwner } from './domain/shard';
import { commitStage } from './streams/commit';
import { chat } from './streams/chat';
import { docs } from './streams/docs';
import { geofence } from './streams/geofence';
import { CACHE_SIZE, NO_FEEDS, REACTIONS_LOADED, feeds } from './streams/feeds';
import { loadGeometry, notLoaded } from './domain/geo/geos';
import { byFeature } from './streams/route';
import { Effect, Inbound } from './streams/effects';

/** In a cluster, this worker's index and the worker count. */
interface Place {
  readonly me: number;
  readonly workers: number;
}

const serve = async (config: Config, log: Logger, place: Place | undefined) => {
  // Keys are read first: a bad key file stops the start before anything opens.
  const verify = tokenVerifier(config.keys);
  const uws = loadUws(config.allowUwsFallback);
  const store = await openStore(config.db, config.durability);
  const metrics = createMetrics();
  // A worker keeps in memory only what it owns.
  const owns = (owner: number) => place === undefined || owner === place.me;
  const rooms = new Map([...(await store.rooms(config.dedupeWindow))].filter(([room]) => owns(roomOwner(room, place?.workers ?? 1))));
  const [fences, devices] = owns(GEO_OWNER) ? await Promise.all([store.fences(), store.devices()]) : [[], []];
  const storedFeeds = owns(feedOwner(place?.workers ?? 1)) ? await store.feeds(Date.now()) : NO_FEEDS;
  // GEOS (fence validity and repair) compiles while the rest starts, on the worker that holds the fences only.
  const geometry = owns(GEO_OWNER) ? loadGeometry() : Promise.resolve(notLoaded);

  const write = measuredWrite(store.write, metrics, (e, size) => log.error({ error: String((e as Error)?.message ?? e).slice(0, 300), size }, 'commit failed'));

  const app = uws.App();
  const gateway = attachGateway(app, { ...config, authenticate: authenticator(verify), verify, idPrefix: place === undefined ? '' : connPrefix(place.me) }, metrics, log);
  attachHttp(app, metrics, store.ping, config);
  const bus = place === undefined ? undefined : await openBus(config.redisUrl as string, config.cluster, place.me);
  const edge: { inbound$: Observable<Inbound>; run: (effects: readonly Effect[]) => void } =
    bus === undefined || place === undefined ? gateway : route(gateway, bus, place.me, place.workers);

  const { inputs, connect } = byFeature(edge.inbound$);
  const effects$ = merge(
    chat(inputs.chat, { history: store.history, newId: randomUUID, rooms, dedupeWindow: config.dedupeWindow, roomsPerSocket: config.limits.roomsPerSocket }),
    geofence(inputs.geo, { fences, devices, newId: randomUUID, geometry: await geometry, fencesPerUser: config.limits.fencesPerUser, devicesPerUser: config.limits.devicesPerUser }),
    docs(inputs.docs, { load: (doc) => store.loadDoc(doc, config.docKeep), keep: config.docKeep, snapshotEvery: config.docSnapshotEvery, idleMs: 60_000, docsPerSocket: config.limits.docsPerSocket, docChars: config.limits.docChars, maxSnapshotBytes: config.maxBackpressure / 2 }),
    feeds(inputs.feeds, { stored: storedFeeds, activities: store.activities, reactionsOf: store.reactionsOf, notificationGroups: store.notificationGroups, cacheSize: CACHE_SIZE, reactionsLoaded: REACTIONS_LOADED }),
  ).pipe(commitStage(write, { maxSize: config.batchSize, maxDelayMs: config.batchMs }));
  // Completes once the gateway's inbound stream has ended and the last batch is committed.
  const drained = new Promise<void>((resolve) =>
    effects$.subscribe({
      next: edge.run,
      error: (e) => {
        log.fatal({ err: e }, 'a pipeline failed');
        resolve();
      },
      complete: resolve,
    }),
  );
  connect();

  if (place !== undefined) {
    // Listen only once the primary says every worker is on the bus.
    await new Promise<void>((resolve) => {
      process.on('message', (m: ToWorker) => m.type === 'listen' && resolve());
      process.send?.({ type: 'subscribed' } satisfies FromWorker);
    });
  }
  // Workers of one cluster share the port; a lone server must have it to itself.
  const listening = await listen(app, config.host, config.port, place === undefined);
  if (!listening) throw new Error(`cannot listen on ${config.host}:${config.port} (is the port taken?)`);
  const metricsApp = config.metricsPort === undefined ? undefined : attachMetrics(uws.App(), metrics, config.metricsToken);
  const metricsListening = metricsApp && (await listen(metricsApp, config.metricsHost, config.metricsPort as number, place === undefined));
  if (metricsListening === false) throw new Error(`cannot listen for metrics on ${config.metricsHost}:${config.metricsPort} (is the port taken?)`);
  const where = { host: config.host, port: config.port, db: printableDb(config.db), auth: verify === undefined ? 'none' : 'token' };
  if (place === undefined) log.info(where, `rusher accepting connections on ws://${config.host}:${config.port}/ws`);
  else {
    log.info({ ...where, worker: place.me }, `worker ${place.me} listening`);
    process.send?.({ type: 'listening' } satisfies FromWorker);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: closing sockets, flushing commits');
    uws.us_listen_socket_close(listening);
    if (metricsListening) uws.us_listen_socket_close(metricsListening);
    gateway.closeAll();
    await drained;
    await bus?.close();
    await store.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
};

const main = async () => {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  // Once per server: by the primary of a cluster, not by each worker.
  if (!tokenAuthOn(config.keys) && config.workerIndex === undefined) {
    log.warn('token auth is off: anyone can connect as any user and read, change or delete anything (set RUSHER_JWT_SECRET, RUSHER_JWT_PUBLIC_KEY or RUSHER_JWT_JWKS)');
  }
  if (config.workers === 1) return serve(config, log, undefined);
  if (config.workerIndex !== undefined) return serve(config, log, { me: config.workerIndex, workers: config.workers });
  // The primary: the keys must load, the port must be free, and the migrations run once, before any worker.
  tokenVerifier(config.keys);
  const probe = await listen(loadUws(config.allowUwsFallback).App(), config.host, config.port, true);
  if (!probe) throw new Error(`cannot listen on ${config.host}:${config.port} (is the port taken?)`);
  loadUws(config.allowUwsFallback).us_listen_socket_close(probe);
  await (await openStore(config.db, config.durability)).close();
  const code = await runPrimary({ workers: config.workers, script: path.join(__dirname, 'main.js'), describe: `ws://${config.host}:${config.port}/ws` }, log);
  process.exit(code);
};

main().catch((e: Error) => {
  process.stderr.write(`rusher: cannot start: ${e.message}\n`);
  process.exit(1);
});
