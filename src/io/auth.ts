// Who is connecting, and what their token allows. Without any key configured, `?user=NAME`
// names the user and everything is allowed (development). With a key, a JWT is required
// (`?token=`, or `Authorization: Bearer` for clients that can set headers), verified with
// jose: HS256 with RUSHER_JWT_SECRET, or RS256/ES256/EdDSA with public keys
// (RUSHER_JWT_PUBLIC_KEY: PEM text or a file of one or more PEM keys) or a JWK set
// (RUSHER_JWT_JWKS: a file, or an https:// URL that jose fetches and caches), several
// keys at once so that keys can be rotated. `exp` and `nbf` are enforced; a token
// without `exp` must carry `iat` and be younger than the maximum age.
import fs from 'fs';
import { KeyObject, createPublicKey, randomBytes } from 'crypto';
import { JWTPayload, JWTVerifyGetKey, createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { Access, Claims, OPEN } from '../domain/authz';

const USER = /^[A-Za-z0-9_.-]{1,64}$/;
const PATTERN = /^[A-Za-z0-9_.:*-]{1,129}$/;

export interface TokenKeys {
  readonly secret?: string;
  /** PEM text, or the path of a file holding one or more PEM public keys. */
  readonly publicKey?: string;
  /** The path of a JWKS file, or an http(s) URL serving one. */
  readonly jwks?: string;
  /** Seconds: how old a token without `exp` may be (by its `iat`); 0 for no limit. */
  readonly maxAge: number;
  readonly clockTolerance: number;
  readonly audience?: string;
  readonly issuer?: string;
}

export type Identity =
  | { readonly ok: true; readonly user: string; readonly access: Access; /** Milliseconds since the epoch. */ readonly exp?: number }
  | { readonly ok: false; readonly status: string; readonly reason: string };

export type Verify = (token: string) => Promise<Identity>;

export const tokenAuthOn = (keys: TokenKeys): boolean => keys.secret !== undefined || keys.publicKey !== undefined || keys.jwks !== undefined;

const unauthorized = (reason: string): Identity => ({ ok: false, status: '401 Unauthorized', reason });

const readPem = (value: string): string => (value.includes('-----BEGIN') ? value : fs.readFileSync(value, 'utf8'));

/** Every PEM block of `text` as a public key (a private key's public half is taken too). */
const publicKeys = (text: string): KeyObject[] => {
  const blocks = text.match(/-----BEGIN [^-]+-----[\s\S]+?-----END [^-]+-----/g) ?? [];
  if (blocks.length === 0) throw new Error('RUSHER_JWT_PUBLIC_KEY holds no PEM key');
  return blocks.map((pem) => createPublicKey(pem));
};

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

const jwksOf = (source: string): JWTVerifyGetKey =>
  /^https?:\/\//.test(source) ? createRemoteJWKSet(new URL(source)) : createLocalJWKSet(JSON.parse(fs.readFileSync(source, 'utf8')));

const stringList = (payload: JWTPayload, name: keyof Claims): readonly string[] | undefined | Error => {
  const v = payload[name];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((p) => typeof p === 'string' && PATTERN.test(p))) {
    return new Error(`the token's ${name} claim must be an array of name patterns (A-Za-z0-9_.:-, optionally ending in *)`);
  }
  return v as string[];
};

/** The claims of a verified payload, checked: a malformed claim refuses the token rather than being ignored. */
export const claimsOf = (payload: JWTPayload): Claims | Error => {
  const claims: { -readonly [K in keyof Claims]: Claims[K] } = {};
  for (const name of ['rooms', 'docs', 'docs_read', 'devices'] as const) {
    const list = stringList(payload, name);
    if (list instanceof Error) return list;
    if (list !== undefined) claims[name] = list;
  }
  if (payload.admin !== undefined) {
    if (typeof payload.admin !== 'boolean') return new Error("the token's admin claim must be true or false");
    claims.admin = payload.admin;
  }
  return claims;
};

/** A token verifier, or undefined when token auth is off. Reading key files happens here, once: a bad key stops the start. */
export const tokenVerifier = (keys: TokenKeys): Verify | undefined => {
  if (!tokenAuthOn(keys)) return undefined;
  const secret = keys.secret === undefined ? undefined : new TextEncoder().encode(keys.secret);
  const pems = keys.publicKey === undefined ? [] : publicKeys(readPem(keys.publicKey));
  const jwks = keys.jwks === undefined ? undefined : jwksOf(keys.jwks);
  const options = { clockTolerance: keys.clockTolerance, audience: keys.audience, issuer: keys.issuer };

  const verifyWith = async (token: string): Promise<JWTPayload> => {
    const { alg } = decodeProtectedHeader(token);
    if (alg === 'HS256') {
      if (secret === undefined) throw new Error('HS256 tokens are not accepted here');
      return (await jwtVerify(token, secret, { ...options, algorithms: ['HS256'] })).payload;
    }
    if (alg === undefined || !ASYMMETRIC.includes(alg)) throw new Error(`tokens signed with ${alg} are not accepted`);
    let last: unknown = new Error(`no public key is configured for ${alg} tokens`);
    if (jwks !== undefined) {
      try {
        return (await jwtVerify(token, jwks, { ...options, algorithms: ASYMMETRIC })).payload;
      } catch (e) {
        last = e;
      }
    }
    // Several PEM keys (a rotation): the one that verifies wins; a handful at most.
    for (const key of pems) {
      try {
        return (await jwtVerify(token, key, { ...options, algorithms: ASYMMETRIC })).payload;
      } catch (e) {
        last = e;
      }
    }
    throw last;
  };

  return async (token) => {
    let payload: JWTPayload;
    try {
      payload = await verifyWith(token);
    } catch (e) {
      const code = (e as { code?: string }).code;
      return unauthorized(code === 'ERR_JWT_EXPIRED' ? 'the token has expired' : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' ? `invalid token: ${(e as Error).message}` : 'invalid token');
    }
    if (typeof payload.sub !== 'string' || !USER.test(payload.sub)) return unauthorized('the token has no valid sub (1–64 characters of A-Za-z0-9_.-)');
    if (payload.exp === undefined && keys.maxAge > 0) {
      if (typeof payload.iat !== 'number') return unauthorized('a token without exp must carry iat');
      if (Date.now() / 1000 - payload.iat > keys.maxAge + keys.clockTolerance) return unauthorized(`the token is older than ${keys.maxAge} s and has no exp`);
    }
    const claims = claimsOf(payload);
    if (claims instanceof Error) return unauthorized(claims.message);
    const exp = payload.exp === undefined ? undefined : payload.exp * 1000;
    return exp === undefined ? { ok: true, user: payload.sub, access: { kind: 'token', claims } } : { ok: true, user: payload.sub, access: { kind: 'token', claims }, exp };
  };
};

/** The upgrade's identity: a verified token, or `?user=` when token auth is off. */
export const authenticator = (verify: Verify | undefined) => async (query: URLSearchParams, authorization: string): Promise<Identity> => {
  if (verify === undefined) {
    const user = query.get('user');
    if (user === null || user === '') return { ok: true, user: `anon-${randomBytes(6).toString('hex')}`, access: OPEN };
    return USER.test(user) ? { ok: true, user, access: OPEN } : { ok: false, status: '400 Bad Request', reason: 'user must be 1–64 characters of A-Za-z0-9_.-' };
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
  const token = query.get('token') || bearer;
  if (!token) return unauthorized('a token is required (?token=JWT)');
  return verify(token);
};
