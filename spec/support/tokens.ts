// Tokens for the real-server specs, signed with jose as an app backend would.
import { SignJWT } from 'jose';

export const SECRET = 'test-secret-that-is-long-enough-for-hs256';

export interface TokenClaims {
  readonly sub?: string;
  readonly rooms?: readonly string[];
  readonly docs?: readonly string[];
  readonly docs_read?: readonly string[];
  readonly devices?: readonly string[];
  readonly admin?: boolean;
  readonly [other: string]: unknown;
}

/** An HS256 token; `exp` a jose time span ('1h', '-1m') or none at all. */
export const sign = async ({ sub, ...claims }: TokenClaims, { key = SECRET, exp = '1h' as string | undefined } = {}): Promise<string> => {
  const jwt = new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (exp !== undefined) jwt.setExpirationTime(exp);
  if (sub !== undefined) jwt.setSubject(sub);
  return jwt.sign(new TextEncoder().encode(key));
};
