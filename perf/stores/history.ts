// Chat history on three engines, the store alone (no sockets): the same messages, in the
// commit stage's shape (batches, one in flight), committed to
//   sqlite    the store (its writer thread, a WAL file, synchronous=NORMAL),
//   postgres  the store (one transaction a batch; fsync and synchronous_commit on),
//   redis     a stream a room (XADD with the seq as the entry id, so a taken seq fails),
//             one MULTI/EXEC a batch, AOF with appendfsync always (Redis's only setting
//             under which an acked write survives a crash of Redis).
// Measured: committed msgs/s and CPU per message, ours (this process, every thread) and
// the engine's server (Postgres's processes, redis-server). It asks whether Redis as the
// history store is worth a variant of the server: see perf/RESULTS.md.
import { ChildProcess } from 'child_process';
import Redis from 'ioredis';
import { Write } from '../../src/domain/writes';
import { openStore } from '../../src/io/store';
import { round } from '../common/figures';
import { startRedis } from '../../spec/support/redis';
import { cpuSeconds, treeCpuSeconds } from '../common/proc';

export interface HistoryOptions {
  readonly messages: number;
  readonly batch: number;
  readonly rooms: number;
  readonly textBytes: number;
}

export interface HistoryResult {
  readonly engine: 'sqlite' | 'postgres' | 'redis';
  readonly msgsPerSec: number;
  /** CPU µs a message: this process (all threads), and the engine's server process(es). */
  readonly ourCpuUs: number;
  readonly engineCpuUs: number;
  readonly stored: number;
}

const messagesOf = (o: HistoryOptions): Write[] => {
  const text = 'x'.repeat(o.textBytes);
  const seqs = new Array<number>(o.rooms).fill(0);
  return Array.from({ length: o.messages }, (_, i) => {
    const r = i % o.rooms;
    const seq = ++seqs[r];
    return { kind: 'message', message: { room: `room-${r}`, seq, id: `m-${i}`, user: `u${r}`, text, at: 1_700_000_000_000 + i } };
  });
};

/** Commits the messages `batch` at a time, one batch in flight; the clock and CPU around it. */
const timed = async (o: HistoryOptions, commit: (batch: readonly Write[]) => Promise<unknown>, engineCpu: () => number) => {
  const all = messagesOf(o);
  const cpu0 = process.cpuUsage();
  const engine0 = engineCpu();
  const t0 = performance.now();
  for (let i = 0; i < all.length; i += o.batch) await commit(all.slice(i, i + o.batch));
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    msgsPerSec: Math.round(all.length / secs),
    ourCpuUs: round((cpu.user + cpu.system) / all.length, 2),
    engineCpuUs: round(((engineCpu() - engine0) * 1e6) / all.length, 2),
  };
};

/** Through the store on `db` (a SQLite file or a Postgres database); `server` is Postgres's postmaster, if any. */
export const storeHistory = async (engine: 'sqlite' | 'postgres', db: string, server: number | undefined, o: HistoryOptions): Promise<HistoryResult> => {
  const store = await openStore(db);
  try {
    const r = await timed(o, (b) => store.write(b), () => (server === undefined ? 0 : treeCpuSeconds(server)));
    const rooms = await store.rooms(1);
    return { engine, ...r, stored: [...rooms.values()].reduce((a, x) => a + x.seq, 0) };
  } finally {
    await store.close();
  }
};

/** Into a redis-server of its own (from `executable`), its AOF in `dir` (a temp dir the caller removes), stopped after. */
export const redisHistory = async (executable: string, dir: string, o: HistoryOptions, track: (p: ChildProcess) => void): Promise<HistoryResult> => {
  const server = await startRedis(executable, ['--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always']);
  track(server.proc);
  const redis = new Redis(server.url, { lazyConnect: true });
  await redis.connect();
  try {
    const commit = async (batch: readonly Write[]) => {
      const m = redis.multi();
      for (const w of batch) {
        if (w.kind !== 'message') continue;
        const x = w.message;
        m.xadd(`room:${x.room}`, `0-${x.seq}`, 'id', x.id, 'user', x.user, 'text', x.text, 'at', String(x.at));
      }
      const results = await m.exec();
      const failed = results?.find(([e]) => e !== null);
      if (failed) throw failed[0];
    };
    const r = await timed(o, commit, () => cpuSeconds(server.proc.pid as number).cpu);
    let stored = 0;
    for (let i = 0; i < o.rooms; i++) stored += await redis.xlen(`room:room-${i}`);
    return { engine: 'redis', ...r, stored };
  } finally {
    redis.disconnect();
    await server.stop();
  }
};
