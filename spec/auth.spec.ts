// With RUSHER_JWT_SECRET set, only a valid HS256 token gets a socket.
import { SignJWT } from 'jose';
import { Client, Server, startServer } from './support/server';

jest.setTimeout(30_000);

const secret = 'test-secret-that-is-long-enough-for-hs256';
const sign = (claims: { sub?: string }, key = secret, exp = '1h') => {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(exp);
  if (claims.sub) jwt.setSubject(claims.sub);
  return jwt.sign(new TextEncoder().encode(key));
};

describe('token auth', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer({ RUSHER_JWT_SECRET: secret });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('gives a socket to a valid token, named by its sub', async () => {
    const c = await Client.connect(server.url(`token=${await sign({ sub: 'zoe' })}`));
    const joined = await c.request({ type: 'room.join', room: 'auth' });
    expect(joined.members).toEqual(['zoe']);
    c.close();
  });

  it.each([
    ['no token', async () => 'user=zoe'],
    ['a garbage token', async () => 'token=not.a.jwt'],
    ['a token signed with another key', async () => `token=${await sign({ sub: 'zoe' }, 'another-secret-another-secret-xx')}`],
    ['an expired token', async () => `token=${await sign({ sub: 'zoe' }, secret, '-1m')}`],
    ['a token without sub', async () => `token=${await sign({})}`],
  ])('refuses %s with HTTP 401 and no socket', async (_name, query) => {
    await expect(Client.connect(server.url(await query()))).rejects.toThrow('HTTP 401');
  });
});
