// Configuration from the environment, with CLI flags (`--port 9000`) mirroring it.
import { Durability } from '../../knexfile';
import { Limits } from '../domain/limits';
import { TokenKeys } from './auth';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly db: string;
  readonly durability: Durability;
  /** Token auth is on when any key is set (auth.ts). */
  readonly keys: TokenKeys;
  readonly limits: Limits;
  /** Open sockets per user, and connection attempts a second per client address (0: no limit). */
  readonly socketsPerUser: number;
  readonly connectsPerIp: number;
  /** The client address is the first of X-Forwarded-For (set only behind a proxy you run). */
  readonly trustProxy: boolean;
  /** `GET /metrics` needs `Authorization: Bearer <this>` when set. */
  readonly metricsToken?: string;
  /** When set, /metrics is served on this port (of `metricsHost`) instead of the main one. */
  readonly metricsPort?: number;
  readonly metricsHost: string;
  /** Frames above this many bytes get `too_large`; past four times that uWS drops the connection unread. */
  readonly maxFrame: number;
  /** Seconds; a socket silent for twice this is closed. Advertised in `welcome`. */
  readonly heartbeat: number;
  /** Bytes buffered for a slow socket before it is dropped from fan-out and closed. */
  readonly maxBackpressure: number;
  /** Frames a second a socket may send (bursts up to twice that); 0 turns the limit off. */
  readonly rateLimit: number;
  readonly batchSize: number;
  readonly batchMs: number;
  /** How many recent message ids per room make resends idempotent. */
  readonly dedupeWindow: number;
  /** Ops kept in memory per open document: how far behind an op or a reconnect may be. */
  readonly docKeep: number;
  /** A document's snapshot is stored every this many versions. */
  readonly docSnapshotEvery: number;
  readonly clientDir: string;
  /** Worker processes sharing the port; above 1 they coordinate through Redis. */
  readonly workers: number;
  readonly redisUrl?: string;
  /** Names the cluster's channels on Redis, so several clusters can share one. */
  readonly cluster: string;
  /** Set by the primary for each worker it forks. */
  readonly workerIndex?: number;
  readonly allowUwsFallback: boolean;
  readonly logLevel: string;
}

const flagName = (env: string) => `--${env.replace(/^RUSHER_/, '').toLowerCase().replace(/_/g, '-')}`;

export const loadConfig = (env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv.slice(2)): Config => {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(flagName(name));
    return i >= 0 && i + 1 < argv.length ? argv[i + 1] : env[name];
  };
  const int = (name: string, fallback: number, min = 0): number => {
    const raw = get(name);
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
    return n;
  };
  const durability = get('RUSHER_DURABILITY') ?? 'normal';
  if (durability !== 'normal' && durability !== 'full') throw new Error(`RUSHER_DURABILITY must be "normal" or "full", got "${durability}"`);
  const workers = int('RUSHER_WORKERS', 1, 1);
  // The cluster's router keeps a bit per worker for each socket.
  if (workers > 31) throw new Error(`RUSHER_WORKERS must be at most 31, got ${workers}`);
  const redisUrl = get('RUSHER_REDIS_URL') || undefined;
  if (workers > 1 && redisUrl === undefined) throw new Error('RUSHER_WORKERS above 1 needs RUSHER_REDIS_URL (e.g. redis://127.0.0.1:6379)');
  return {
    port: int('PORT', 8080),
    host: get('HOST') ?? '0.0.0.0',
    db: get('RUSHER_DB') ?? './data/rusher.db',
    durability,
    keys: {
      secret: get('RUSHER_JWT_SECRET') || undefined,
      publicKey: get('RUSHER_JWT_PUBLIC_KEY') || undefined,
      jwks: get('RUSHER_JWT_JWKS') || undefined,
      maxAge: int('RUSHER_JWT_MAX_AGE', 86_400),
      clockTolerance: int('RUSHER_JWT_CLOCK_TOLERANCE', 5),
      audience: get('RUSHER_JWT_AUDIENCE') || undefined,
      issuer: get('RUSHER_JWT_ISSUER') || undefined,
    },
    limits: {
      roomsPerSocket: int('RUSHER_MAX_ROOMS_PER_SOCKET', 100),
      docsPerSocket: int('RUSHER_MAX_DOCS_PER_SOCKET', 50),
      fencesPerUser: int('RUSHER_MAX_FENCES_PER_USER', 1000),
      devicesPerUser: int('RUSHER_MAX_DEVICES_PER_USER', 1000),
      docChars: int('RUSHER_MAX_DOC_CHARS', 1_000_000),
    },
    socketsPerUser: int('RUSHER_MAX_SOCKETS_PER_USER', 32),
    connectsPerIp: int('RUSHER_MAX_CONNECTS_PER_IP', 50),
    trustProxy: get('RUSHER_TRUST_PROXY') === '1',
    metricsToken: get('RUSHER_METRICS_TOKEN') || undefined,
    metricsPort: get('RUSHER_METRICS_PORT') ? int('RUSHER_METRICS_PORT', 0, 1) : undefined,
    metricsHost: get('RUSHER_METRICS_HOST') ?? '127.0.0.1',
    maxFrame: int('RUSHER_MAX_FRAME', 256 * 1024, 1024),
    heartbeat: int('RUSHER_HEARTBEAT', 30, 4),
    maxBackpressure: int('RUSHER_MAX_BACKPRESSURE', 4 * 1024 * 1024, 1024),
    rateLimit: int('RUSHER_RATE_LIMIT', 1000),
    batchSize: int('RUSHER_BATCH_SIZE', 4096, 1),
    batchMs: int('RUSHER_BATCH_MS', 2),
    dedupeWindow: int('RUSHER_DEDUPE_WINDOW', 10_000, 1),
    docKeep: int('RUSHER_DOC_KEEP', 1000, 1),
    docSnapshotEvery: int('RUSHER_DOC_SNAPSHOT_EVERY', 1000, 1),
    clientDir: get('RUSHER_CLIENT_DIR') ?? 'client/dist',
    workers,
    redisUrl,
    cluster: get('RUSHER_CLUSTER') ?? 'rusher',
    workerIndex: env.RUSHER_WORKER_INDEX === undefined ? undefined : int('RUSHER_WORKER_INDEX', 0),
    allowUwsFallback: get('RUSHER_ALLOW_UWS_FALLBACK') === '1',
    logLevel: get('LOG_LEVEL') ?? 'info',
  };
};
