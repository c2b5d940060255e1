// fences:import against the real server: the CLI as a user runs it (node on the built
// file), a GeoJSON file on disk, and the server's own answers.
import { execFile } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { SignJWT } from 'jose';
import { Client, Frame, Server, startServer } from './support/server';

jest.setTimeout(60_000);

const CLI = path.resolve(__dirname, '../dist/src/cli/fences-import.js');
const secret = 'test-secret-that-is-long-enough-for-hs256';
const token = (sub: string) => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('1h').sign(new TextEncoder().encode(secret));

const run = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => execFile(process.execPath, [CLI, ...args], (e, stdout, stderr) => resolve({ code: e ? Number(e.code) : 0, stdout, stderr })));

const square = (w: number, s: number, e: number, n: number) => [[w, s], [e, s], [e, n], [w, n], [w, s]];
const file = {
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', properties: { NAME: 'Block' }, geometry: { type: 'Polygon', coordinates: [square(2.35, 48.86, 2.36, 48.87)] } },
    { type: 'Feature', properties: { NAME: 'Islands' }, geometry: { type: 'MultiPolygon', coordinates: [[square(2.4, 48.86, 2.41, 48.87)], [square(2.42, 48.86, 2.43, 48.87)]] } },
    { type: 'Feature', properties: { NAME: 'Bow-tie' }, geometry: { type: 'Polygon', coordinates: [[[2.5, 48.86], [2.51, 48.87], [2.51, 48.86], [2.5, 48.87], [2.5, 48.86]]] } },
    { type: 'Feature', properties: { NAME: 'Tower' }, geometry: { type: 'Point', coordinates: [2.29, 48.86] } },
  ],
};

describe('npm run fences:import', () => {
  let server: Server;
  let geojson: string;
  beforeAll(async () => {
    server = await startServer({ RUSHER_JWT_SECRET: secret });
    geojson = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rusher-import-')), 'zones.geojson');
    fs.writeFileSync(geojson, JSON.stringify(file));
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  /** The fences `user` may list: with token auth, their own. */
  const listed = async (user = 'importer') => {
    const c = await Client.connect(server.url(`token=${await token(user)}`));
    const fences = (await c.request({ type: 'fence.list' })).fences as Frame[];
    c.close();
    return fences.map((f) => [f.name, f.shape.type]).sort();
  };

  it('is refused without a valid token, as any client, and creates nothing', async () => {
    const { code, stderr } = await run([geojson, '--server', `ws://127.0.0.1:${server.port}`, '--name-property', 'NAME']);
    expect([code, stderr]).toEqual([2, expect.stringMatching(/401/)]);
    expect(await listed()).toEqual([]);
  });

  it('creates the valid fences, refuses the bow-tie naming the ring, and skips the point', async () => {
    const { code, stdout } = await run([geojson, '--server', `ws://127.0.0.1:${server.port}`, '--token', await token('importer'), '--name-property', 'NAME']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/skipped feature 3: a Point: only Polygons and MultiPolygons are fences/);
    expect(stdout).toMatch(/refused Bow-tie: fence\.shape\.coordinates\.0: the outer ring is not valid: self-intersection at or near \[2\.505, 48\.86\d*\]/);
    expect(stdout).toMatch(/2 created, 0 repaired, 1 refused, 1 skipped/);
    expect(await listed()).toEqual([['Block', 'Polygon'], ['Islands', 'MultiPolygon']]);
    // They are the importer's, as if it had sent them by hand.
    expect(await listed('someone-else')).toEqual([]);
  });

  it('with --repair creates the bow-tie repaired, as two triangles', async () => {
    const { code, stdout } = await run([geojson, `--server=http://127.0.0.1:${server.port}`, '--token', await token('importer'), '--name-property', 'NAME', '--repair']);
    expect(stdout).toMatch(/2 created, 1 repaired, 0 refused, 1 skipped/);
    expect(code).toBe(0);
    expect(await listed()).toEqual([['Block', 'Polygon'], ['Block', 'Polygon'], ['Bow-tie', 'MultiPolygon'], ['Islands', 'MultiPolygon'], ['Islands', 'MultiPolygon']]);
  });
});
