// Token auth over the real server: which tokens get a socket (HS256 with a secret;
// RS256/ES256 with public keys or a JWK set, several at once for rotation; exp, nbf, a
// maximum age for tokens without exp, well-formed claims), and what happens when a
// socket's token expires or is refreshed in-band.
import fs from 'fs';
import os from 'os';
import path from 'path';
import { JWK, SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { Client, Server, startServer } from './support/server';
import { SECRET, sign } from './support/tokens';

jest.setTimeout(60_000);

const refuses = async (server: Server, token: string, status = 'HTTP 401') => expect(Client.connect(server.url(`token=${token}`))).rejects.toThrow(status);
const accepts = async (server: Server, token: string) => {
  const c = await Client.connect(server.url(`token=${token}`));
  c.close();
  return c;
};

describe('token auth with a secret (HS256)', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer({ RUSHER_JWT_SECRET: SECRET, RUSHER_JWT_MAX_AGE: '60' });
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it('gives a socket to a valid token, named by its sub', async () => {
    const c = await Client.connect(server.url(`token=${await sign({ sub: 'zoe', rooms: ['auth'] })}`));
    expect(c.frames).toEqual([]);
    const joined = await c.request({ type: 'room.join', room: 'auth' });
    expect(joined.members).toEqual(['zoe']);
    c.close();
  });

  it('takes the token from an Authorization header too', async () => {
    const ws = new (await import('ws')).default(server.url(''), { headers: { authorization: `Bearer ${await sign({ sub: 'hdr' })}` } });
    const welcome = await new Promise<{ user: string }>((resolve, reject) => {
      ws.once('message', (m) => resolve(JSON.parse(String(m))));
      ws.once('unexpected-response', (_q, r) => reject(new Error(`HTTP ${r.statusCode}`)));
    });
    expect(welcome.user).toBe('hdr');
    ws.close();
  });

  it.each([
    ['no token', async () => 'user=zoe'],
    ['a garbage token', async () => 'token=not.a.jwt'],
    ['a token signed with another key', async () => `token=${await sign({ sub: 'zoe' }, { key: 'another-secret-another-secret-xx' })}`],
    ['an expired token', async () => `token=${await sign({ sub: 'zoe' }, { exp: '-1m' })}`],
    ['a token without sub', async () => `token=${await sign({})}`],
    ['a token whose sub is not a user name', async () => `token=${await sign({ sub: 'no spaces' })}`],
    ['a token not valid before a time to come (nbf)', async () => `token=${await sign({ sub: 'zoe', nbf: Math.floor(Date.now() / 1000) + 3600 })}`],
    ['a token without exp older than the maximum age', async () => `token=${await new SignJWT({ sub: 'zoe' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(Math.floor(Date.now() / 1000) - 120).sign(new TextEncoder().encode(SECRET))}`],
    ['a token with neither exp nor iat', async () => `token=${await new SignJWT({ sub: 'zoe' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET))}`],
    ['a token whose rooms claim is not a list', async () => `token=${await sign({ sub: 'zoe', rooms: 'team-a.*' as unknown as string[] })}`],
    ['a token whose admin claim is not a boolean', async () => `token=${await sign({ sub: 'zoe', admin: 'yes' as unknown as boolean })}`],
    ['an unsigned token (alg none)', async () => `token=${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"zoe"}').toString('base64url')}.`],
  ])('refuses %s with HTTP 401 and no socket', async (_name, query) => {
    await expect(Client.connect(server.url(await query()))).rejects.toThrow('HTTP 401');
  });

  it('accepts a young token without exp', async () => {
    await accepts(server, await sign({ sub: 'zoe' }, { exp: undefined }));
  });

  it('tells a socket whose token expires, and closes it (4001)', async () => {
    const c = await Client.connect(server.url(`token=${await sign({ sub: 'brief' }, { exp: '2s' })}`));
    const told = await c.next((f) => f.type === 'auth.expired', 6000);
    expect(told.message).toEqual(expect.any(String));
    expect((await c.closed).code).toBe(4001);
  });

  it('keeps a socket that refreshes its token in time, under the new claims', async () => {
    const c = await Client.connect(server.url(`token=${await sign({ sub: 'kim', rooms: ['a', 'b'] }, { exp: '2s' })}`));
    await c.request({ type: 'room.join', room: 'a' });
    await c.request({ type: 'room.join', room: 'b' });
    const other = await Client.connect(server.url(`token=${await sign({ sub: 'lee', rooms: ['a', 'b'] })}`));
    await other.request({ type: 'room.join', room: 'b' });

    expect(await c.request({ type: 'auth.refresh', token: await sign({ sub: 'someone-else', rooms: ['a'] }) })).toMatchObject({ type: 'error', code: 'forbidden', path: 'token' });
    expect(await c.request({ type: 'auth.refresh', token: 'garbage' })).toMatchObject({ type: 'error', code: 'forbidden', path: 'token' });
    const refreshed = await c.request({ type: 'auth.refresh', token: await sign({ sub: 'kim', rooms: ['a'] }) });
    expect(refreshed).toMatchObject({ type: 'auth.refreshed', user: 'kim', exp: expect.any(Number) });
    // Room b is no longer allowed: the socket is taken out of it, and the others see it leave.
    expect(await c.next((f) => f.type === 'room.left')).toEqual({ type: 'room.left', room: 'b' });
    expect(await other.next((f) => f.type === 'presence.leave')).toEqual({ type: 'presence.leave', room: 'b', user: 'kim' });
    expect(await c.request({ type: 'chat.send', room: 'b', text: 'still here?' })).toMatchObject({ code: 'forbidden', path: 'room' });
    await new Promise((r) => setTimeout(r, 3500));
    expect((await c.request({ type: 'chat.send', room: 'a', text: 'past the first exp' })).type).toBe('chat.ack');
    c.close();
    other.close();
  });

  it('answers auth.refresh with bad_request when token auth is off', async () => {
    const open = await startServer({});
    const c = await Client.connect(open.url('user=dev'));
    expect(await c.request({ type: 'auth.refresh', token: 'x' })).toMatchObject({ type: 'error', code: 'bad_request', path: 'token' });
    c.close();
    await open.stop();
    expect(open.output()).toContain('token auth is off');
  });
});

describe('token auth with public keys (RS256, ES256) and a JWK set', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rusher-keys-'));
  type Pair = Awaited<ReturnType<typeof generateKeyPair>>;
  type Key = Pair['privateKey'];
  let rsa: Pair;
  let ec: Pair;
  let old: Pair;
  let pemServer: Server;
  let jwksServer: Server;
  const signWith = (key: Key, alg: string, kid?: string, sub = 'kay') => {
    const jwt = new SignJWT({ sub, rooms: ['r'] }).setProtectedHeader(kid === undefined ? { alg } : { alg, kid }).setIssuedAt().setExpirationTime('1h');
    return jwt.sign(key);
  };

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256');
    ec = await generateKeyPair('ES256');
    old = await generateKeyPair('ES256');
    // Two PEM keys in one file: a key being rotated out beside the new one.
    const pems = path.join(dir, 'keys.pem');
    fs.writeFileSync(pems, `${await exportSPKI(rsa.publicKey)}\n${await exportSPKI(ec.publicKey)}\n`);
    const jwk = async (k: Key, kid: string, alg: string): Promise<JWK> => ({ ...(await exportJWK(k)), kid, alg, use: 'sig' });
    const jwks = path.join(dir, 'jwks.json');
    fs.writeFileSync(jwks, JSON.stringify({ keys: [await jwk(ec.publicKey, 'new', 'ES256'), await jwk(old.publicKey, 'old', 'ES256')] }));
    pemServer = await startServer({ RUSHER_JWT_PUBLIC_KEY: pems });
    jwksServer = await startServer({ RUSHER_JWT_JWKS: jwks });
  });
  afterAll(async () => {
    await pemServer.stop();
    await jwksServer.stop();
  });

  it('accepts tokens signed by any key of a PEM file, and refuses HS256 and strangers', async () => {
    await accepts(pemServer, await signWith(rsa.privateKey, 'RS256'));
    await accepts(pemServer, await signWith(ec.privateKey, 'ES256'));
    await refuses(pemServer, await signWith(old.privateKey, 'ES256'));
    await refuses(pemServer, await sign({ sub: 'kay' }));
  });

  it('accepts tokens of every key of a JWK set (rotation by kid), and refuses others', async () => {
    await accepts(jwksServer, await signWith(ec.privateKey, 'ES256', 'new'));
    await accepts(jwksServer, await signWith(old.privateKey, 'ES256', 'old'));
    await refuses(jwksServer, await signWith(rsa.privateKey, 'RS256', 'new'));
    await refuses(jwksServer, await signWith(ec.privateKey, 'ES256', 'unknown'));
  });

  it('does not start with a key file that holds no key', async () => {
    const bad = path.join(dir, 'empty.pem');
    fs.writeFileSync(bad, 'not a key');
    await expect(startServer({ RUSHER_JWT_PUBLIC_KEY: bad })).rejects.toThrow(/holds no PEM key/);
  });
});
