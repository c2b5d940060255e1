// Tokens for benches that run the server with token auth on (`RUSHER_JWT_SECRET`), so that
// what the checks cost is measured beside the same bench without them.
import { SignJWT } from 'jose';

export const BENCH_SECRET = 'rusher-bench-secret-rusher-bench-secret';

export const benchToken = (sub: string, claims: Record<string, unknown>): Promise<string> =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().setExpirationTime('2h').sign(new TextEncoder().encode(BENCH_SECRET));

/** The socket's path: by name without token auth, by token with it. */
export const wsPath = (user: string, token: string | undefined): string => (token === undefined ? `/ws?user=${encodeURIComponent(user)}` : `/ws?token=${token}`);
