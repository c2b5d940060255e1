// Loads the native uWebSockets.js binary. The npm package silently falls back to a
// slow JS copy when the binary cannot load; Rusher refuses that unless told otherwise.
import path from 'path';
import type * as Uws from 'uWebSockets.js';

export type { TemplatedApp, WebSocket, HttpResponse, HttpRequest, us_listen_socket } from 'uWebSockets.js';

export const loadUws = (allowFallback: boolean): typeof Uws => {
  const dir = path.dirname(require.resolve('uWebSockets.js/package.json'));
  const binary = path.join(dir, 'binaries', `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`);
  try {
    return require(binary) as typeof Uws;
  } catch (e) {
    if (!allowFallback) {
      throw new Error(
        `the native uWebSockets.js binary did not load (${binary}: ${(e as Error).message.split('\n')[0]}). ` +
          'Rusher needs it for speed; use Node 20 on linux/macOS x64/arm64 with glibc ≥ 2.27, ' +
          'or set RUSHER_ALLOW_UWS_FALLBACK=1 to run on the slow JS fallback anyway.',
      );
    }
    process.env.UWS_USE_FALLBACK = '1';
    return require('uWebSockets.js') as typeof Uws;
  }
};

/**
 * Listens on host:port. uWS sets SO_REUSEPORT by default, so a second server on a taken
 * port would silently share it; `exclusive` refuses that (workers of one cluster share).
 */
export const listen = (app: Uws.TemplatedApp, host: string, port: number, exclusive: boolean): Promise<Uws.us_listen_socket | false> =>
  new Promise((resolve) => {
    // The typings lack (host, port, options, cb); the native binding takes it.
    const withOptions = app.listen as unknown as (h: string, p: number, o: number, cb: (s: Uws.us_listen_socket | false) => void) => void;
    withOptions.call(app, host, port, exclusive ? 1 : 0, resolve);
  });
