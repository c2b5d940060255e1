// The composition root: configuration, store, pipelines, gateway, signals.
import { randomUUID } from 'crypto';
import { from, merge } from 'rxjs';
import { loadConfig } from './io/config';
import { createLogger } from './io/log';
import { loadUws, us_listen_socket } from './io/uws';
import { openStore } from './io/store';
import { createMetrics, measuredWrite } from './io/metrics';
import { authenticator } from './io/auth';
import { attachGateway } from './io/gateway';
import { attachHttp } from './io/http';
import { committer } from './streams/commit';
import { chat } from './streams/chat';
import { Write } from './domain/writes';

const main = async () => {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const uws = loadUws(config.allowUwsFallback);
  const store = await openStore(config.db, config.durability);
  const metrics = createMetrics();
  const rooms = await store.rooms(config.dedupeWindow);

  const write = measuredWrite(store.write, metrics, (e, size) => log.error({ err: e, size }, 'commit failed'));
  const commits = committer<Write, unknown>(write, { maxSize: config.batchSize, maxDelayMs: config.batchMs });

  const app = uws.App();
  const gateway = attachGateway(app, { ...config, authenticate: authenticator(config.jwtSecret) }, metrics, log);
  attachHttp(app, metrics, store.ping, config.clientDir);

  const effects$ = merge(
    chat(gateway.inbound$, {
      commit: commits.commit,
      history: (q) => from(store.history(q)),
      newId: randomUUID,
      rooms,
      dedupeWindow: config.dedupeWindow,
    }),
  );
  effects$.subscribe({ next: gateway.run, error: (e) => log.fatal({ err: e }, 'a pipeline failed') });

  const listening = await new Promise<us_listen_socket | false>((resolve) => app.listen(config.host, config.port, resolve));
  if (!listening) throw new Error(`cannot listen on ${config.host}:${config.port} (is the port taken?)`);
  log.info({ host: config.host, port: config.port, db: config.db, auth: config.jwtSecret ? 'jwt' : 'user' }, `rusher accepting connections on ws://${config.host}:${config.port}/ws`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: closing sockets, flushing commits');
    uws.us_listen_socket_close(listening);
    gateway.closeAll();
    await commits.close();
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
