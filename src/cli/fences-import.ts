// Imports a GeoJSON file as fences, through the protocol like any client (so with the
// same authorization: the token is passed through):
//
//   npm run fences:import -- FILE [--server ws://localhost:8080] [--token JWT | --user NAME]
//                            [--repair] [--name-property name] [--window 8]
//
// Every Polygon and MultiPolygon of the file becomes one fence.create (see
// src/domain/geo/geojson.ts); `--repair` asks the server to repair invalid shapes rather
// than refuse them. Prints a line for each fence refused or feature skipped, then a
// summary; exits 0 when every fence was created, 1 when some were refused, 2 when the
// import could not run (no file, no server, refused connection).
import fs from 'fs';
import { parseArgs } from 'util';
import WebSocket from 'ws';
import { ImportedFence, Outcome, fencesOfGeoJson, outcomeOf, summarize } from '../domain/geo/geojson';

const usage = 'usage: npm run fences:import -- FILE [--server ws://HOST:PORT] [--token JWT | --user NAME] [--repair] [--name-property PROP] [--window N]';

/** The socket URL: ws(s)://host[:port]/ws with the token (or user) in the query. */
export const socketUrl = (server: string, auth: { token?: string; user?: string }): string => {
  const url = new URL(server.replace(/^http/, 'ws'));
  if (!url.pathname.endsWith('/ws')) url.pathname = `${url.pathname.replace(/\/$/, '')}/ws`;
  if (auth.token) url.searchParams.set('token', auth.token);
  else url.searchParams.set('user', auth.user ?? 'fences-import');
  return url.toString();
};

type Reply = { type: string; ref?: number; fence?: { shape: unknown }; message?: string; path?: string };

/** Sends every fence, at most `window` unanswered at a time, and resolves with what became of each. */
const send = (ws: WebSocket, fences: readonly ImportedFence[], window: number, progress: (done: number) => void): Promise<[ImportedFence, Outcome][]> =>
  new Promise((resolve, reject) => {
    const outcomes: [ImportedFence, Outcome][] = new Array(fences.length);
    let next = 0;
    let done = 0;
    const pump = () => {
      while (next < fences.length && next - done < window) {
        const f = fences[next];
        ws.send(JSON.stringify({ type: 'fence.create', ref: next, fence: { name: f.name, shape: f.shape, repair: f.repair } }));
        next++;
      }
    };
    ws.on('message', (data) => {
      const reply = JSON.parse(String(data)) as Reply;
      if (typeof reply.ref !== 'number' || (reply.type !== 'fence.created' && reply.type !== 'error')) return;
      const sent = fences[reply.ref];
      outcomes[reply.ref] = [sent, outcomeOf(sent, reply.type === 'error' ? { error: { message: reply.message ?? '', path: reply.path } } : { shape: reply.fence?.shape })];
      done++;
      progress(done);
      if (done === fences.length) resolve(outcomes);
      else pump();
    });
    ws.on('close', (code, reason) => done < fences.length && reject(new Error(`the server closed the socket (${code}${reason.length ? `: ${reason}` : ''}) after ${done} of ${fences.length} fences`)));
    pump();
  });

const main = async (): Promise<number> => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      server: { type: 'string', default: 'ws://localhost:8080' },
      token: { type: 'string' },
      user: { type: 'string' },
      repair: { type: 'boolean', default: false },
      'name-property': { type: 'string', default: 'name' },
      window: { type: 'string', default: '8' },
    },
  });
  const [file] = positionals;
  if (!file) {
    console.error(usage);
    return 2;
  }
  const { fences, skipped } = fencesOfGeoJson(JSON.parse(fs.readFileSync(file, 'utf8')), { nameProperty: values['name-property'], repair: values.repair ?? false });
  for (const s of skipped) console.log(`skipped feature ${s.feature}: ${s.reason}`);
  if (fences.length === 0) {
    console.log('no Polygon or MultiPolygon to import');
    return skipped.length > 0 ? 1 : 0;
  }
  const ws = new WebSocket(socketUrl(values.server ?? '', { token: values.token, user: values.user }), { maxPayload: 64 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (req, res) => {
      req.destroy();
      reject(new Error(`the server refused the connection: ${res.statusCode} ${res.statusMessage}`));
    });
  });
  const started = Date.now();
  const outcomes = await send(ws, fences, Math.max(1, Number(values.window) || 8), (done) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${done}/${fences.length}`);
  });
  ws.close();
  if (process.stderr.isTTY) process.stderr.write('\n');
  const summary = summarize(outcomes, skipped);
  for (const r of summary.refused) console.log(`refused ${r.name}: ${r.reason}`);
  console.log(`${summary.created} created, ${summary.repaired} repaired, ${summary.refused.length} refused, ${summary.skipped.length} skipped, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return summary.refused.length > 0 ? 1 : 0;
};

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (e: Error) => {
      console.error(`fences:import: ${e.message}`);
      process.exitCode = 2;
    },
  );
}
