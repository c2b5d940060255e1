// The HTTP side of the server: methods it does not serve get 405, not a dropped
// connection; /metrics can be closed behind a token or moved to its own port.
import net from 'net';
import { Server, startServer } from './support/server';

jest.setTimeout(60_000);

const get = (port: number, path: string, headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${port}${path}`, { headers });

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

describe('http', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer({ RUSHER_METRICS_TOKEN: 'scrape-me' });
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH'])('answers %s with 405 and Allow: GET', async (method) => {
    const res = await fetch(`http://127.0.0.1:${server.port}/health`, { method, body: method === 'DELETE' ? undefined : 'x'.repeat(100_000) });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect((await get(server.port, '/health')).status).toBe(200);
  });

  it('serves /metrics only with the bearer token', async () => {
    expect((await get(server.port, '/metrics')).status).toBe(401);
    expect((await get(server.port, '/metrics', { authorization: 'Bearer wrong' })).status).toBe(401);
    const ok = await get(server.port, '/metrics', { authorization: 'Bearer scrape-me' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('rusher_connections');
  });

  it('serves /metrics on its own port when told, and not on the main one', async () => {
    const metricsPort = await freePort();
    const apart = await startServer({ RUSHER_METRICS_PORT: String(metricsPort) });
    expect(await (await get(metricsPort, '/metrics')).text()).toContain('rusher_frames_in_total');
    expect(await (await get(apart.port, '/metrics')).text()).not.toContain('rusher_frames_in_total');
    expect(await apart.stop()).toBe(0);
  });
});
