// Who is connecting: `?user=NAME` without a secret, a HS256 JWT (`?token=`) with one.
import { randomBytes } from 'crypto';
import { jwtVerify } from 'jose';

const USER = /^[A-Za-z0-9_.-]{1,64}$/;

export type Identity = { readonly ok: true; readonly user: string } | { readonly ok: false; readonly status: string; readonly reason: string };

export const authenticator = (secret: string | undefined) => {
  const key = secret === undefined ? undefined : new TextEncoder().encode(secret);
  return async (query: URLSearchParams): Promise<Identity> => {
    if (key === undefined) {
      const user = query.get('user');
      if (user === null || user === '') return { ok: true, user: `anon-${randomBytes(6).toString('hex')}` };
      return USER.test(user) ? { ok: true, user } : { ok: false, status: '400 Bad Request', reason: 'user must be 1–64 characters of A-Za-z0-9_.-' };
    }
    const token = query.get('token');
    if (!token) return { ok: false, status: '401 Unauthorized', reason: 'a token is required' };
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
      return typeof payload.sub === 'string' && USER.test(payload.sub)
        ? { ok: true, user: payload.sub }
        : { ok: false, status: '401 Unauthorized', reason: 'the token has no valid sub' };
    } catch {
      return { ok: false, status: '401 Unauthorized', reason: 'invalid token' };
    }
  };
};
