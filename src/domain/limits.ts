// What one user or one socket may hold, and token buckets for rates. A limit of 0 means
// no limit. Refusals are `quota_exceeded` and change nothing.
import { ProtocolError, err } from './errors';

export interface Limits {
  readonly roomsPerSocket: number;
  readonly docsPerSocket: number;
  readonly fencesPerUser: number;
  readonly devicesPerUser: number;
  /** Characters a document may hold (as Quill counts them: an embed is one). */
  readonly docChars: number;
}

export const NO_LIMITS: Limits = { roomsPerSocket: 0, docsPerSocket: 0, fencesPerUser: 0, devicesPerUser: 0, docChars: 0 };

/** Whether one more may be added to `count` under `limit`. */
export const roomFor = (limit: number, count: number): boolean => limit === 0 || count < limit;

export const quotaExceeded = (what: string, limit: number, path: string): ProtocolError =>
  err('quota_exceeded', `${what} is limited to ${limit.toLocaleString('en')}`, path);

/**
 * Requests in flight per socket (a join reading history, an open loading a document):
 * they count against the socket's limit beside what it already holds, so a burst of
 * requests cannot pass the limit together.
 */
export class InFlight {
  private readonly counts = new Map<string, number>();

  count(conn: string): number {
    return this.counts.get(conn) ?? 0;
  }

  add(conn: string): void {
    this.counts.set(conn, this.count(conn) + 1);
  }

  done(conn: string): void {
    const n = this.count(conn) - 1;
    if (n > 0) this.counts.set(conn, n);
    else this.counts.delete(conn);
  }
}

export interface Bucket {
  tokens: number;
  at: number;
}

/** A full bucket at `now`. */
export const fullBucket = (burst: number, now: number): Bucket => ({ tokens: burst, at: now });

/**
 * Takes one token from `bucket`, refilled at `rate` tokens a second up to `burst`;
 * false (and nothing taken) when it is empty. Time comes in as `now`, in milliseconds.
 */
export const take = (bucket: Bucket, now: number, rate: number, burst: number): boolean => {
  bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * rate) / 1000);
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
};
