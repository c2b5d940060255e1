// HTTP routes beside the socket: health, Prometheus metrics, and the built client.
import fs from 'fs';
import path from 'path';
import { timingSafeEqual } from 'crypto';
import type { HttpResponse, TemplatedApp } from './uws';
import { Metrics } from './metrics';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Answers once, from a promise, unless the client went away first. */
const reply = (res: HttpResponse, work: () => Promise<{ status: string; type: string; body: string | Buffer }>) => {
  let aborted = false;
  res.onAborted(() => (aborted = true));
  work().then(
    (r) => !aborted && res.cork(() => res.writeStatus(r.status).writeHeader('content-type', r.type).end(r.body)),
    () => !aborted && res.cork(() => res.writeStatus('500 Internal Server Error').end()),
  );
};

// The client is small and immutable once built: read it once, serve it from memory.
const loadClient = (dir: string): Map<string, Buffer> => {
  const files = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.set('/' + path.relative(dir, p).split(path.sep).join('/'), fs.readFileSync(p));
    }
  };
  if (fs.existsSync(path.join(dir, 'index.html'))) walk(dir);
  return files;
};

export interface HttpOptions {
  readonly clientDir: string;
  /** `/metrics` needs `Authorization: Bearer <metricsToken>` when set. */
  readonly metricsToken?: string;
  /** When set, `/metrics` is served on its own listener (serveMetrics) and not here. */
  readonly metricsPort?: number;
}

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** `GET /metrics`, Prometheus text; behind a bearer token when one is configured. */
export const attachMetrics = (app: TemplatedApp, metrics: Metrics, token: string | undefined) =>
  app.get('/metrics', (res, req) => {
    if (token !== undefined && !sameSecret(/^Bearer\s+(.+)$/i.exec(req.getHeader('authorization'))?.[1] ?? '', token)) {
      res.writeStatus('401 Unauthorized').writeHeader('www-authenticate', 'Bearer').writeHeader('content-type', 'text/plain').end('a bearer token is required');
      return;
    }
    reply(res, async () => ({ status: '200 OK', type: metrics.registry.contentType, body: await metrics.registry.metrics() }));
  });

export const attachHttp = (app: TemplatedApp, metrics: Metrics, healthy: () => Promise<boolean>, { clientDir, metricsToken, metricsPort }: HttpOptions) => {
  app.get('/health', (res) =>
    reply(res, async () =>
      (await healthy())
        ? { status: '200 OK', type: 'application/json', body: '{"status":"ok"}' }
        : { status: '503 Service Unavailable', type: 'application/json', body: '{"status":"unavailable"}' },
    ),
  );
  if (metricsPort === undefined) attachMetrics(app, metrics, metricsToken);
  const client = loadClient(clientDir);
  app.get('/*', (res, req) => {
    const url = req.getUrl();
    const file = client.get(url) ?? (path.extname(url) === '' ? client.get('/index.html') : undefined);
    if (!file) {
      res.writeStatus('404 Not Found').writeHeader('content-type', 'text/plain').end(client.size === 0 ? 'the client is not built (npm run build:client)' : 'not found');
      return;
    }
    const type = client.has(url) ? (TYPES[path.extname(url)] ?? 'application/octet-stream') : TYPES['.html'];
    res.writeStatus('200 OK').writeHeader('content-type', type).end(file);
  });
  // Routes of a method come before `any`: what reaches here has no route for its method.
  app.any('/*', (res) => {
    res.writeStatus('405 Method Not Allowed').writeHeader('allow', 'GET').writeHeader('content-type', 'text/plain').end('only GET is served here');
  });
};
