// The knex store: opens SQLite (WAL), applies migrations, writes a batch of Writes in
// one transaction, and answers the reads that rebuild memory at start.
import fs from 'fs';
import path from 'path';
import { knex, Knex } from 'knex';
import { Durability, knexConfig } from '../../knexfile';
import { Write } from '../domain/writes';
import { Message, Original } from '../domain/chat';
import { HistoryQuery, StoredRoom } from '../streams/chat';

export interface Store {
  readonly db: Knex;
  /** One transaction for the whole batch; rejects (and commits nothing) on any failure. */
  write(batch: readonly Write[]): Promise<readonly null[]>;
  history(q: HistoryQuery): Promise<Message[]>;
  rooms(dedupeWindow: number): Promise<Map<string, StoredRoom>>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

// knex's SQLite dialect inserts many rows as `select … union all select …`, which
// SQLite caps at 500 terms; a multi-row VALUES list has no such cap (only the 32,766
// bound parameters), so rows go in as VALUES, 500 at a time.
const ROWS_PER_INSERT = 500;

const insertRows = async (trx: Knex.Transaction, table: string, rows: readonly Record<string, unknown>[]) => {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  const tuple = `(${columns.map(() => '?').join(',')})`;
  const head = `insert into ${trx.client.wrapIdentifier(table)} (${columns.map((c) => trx.client.wrapIdentifier(c)).join(',')}) values `;
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    await trx.raw(head + chunk.map(() => tuple).join(','), chunk.flatMap((r) => columns.map((c) => r[c] as Knex.Value)));
  }
};

const messageRow = (m: Message) => ({ room: m.room, seq: m.seq, id: m.id, user: m.user, text: m.text, at: m.at });

export const openStore = async (filename: string, durability: Durability = 'normal'): Promise<Store> => {
  if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  const db = knex(knexConfig(filename, durability));
  await db.migrate.latest();

  const write = async (batch: readonly Write[]) => {
    await db.transaction(async (trx) => {
      await insertRows(trx, 'messages', batch.filter((w) => w.kind === 'message').map((w) => messageRow(w.message)));
    });
    return batch.map(() => null);
  };

  const history = async ({ room, after, upTo, before, limit }: HistoryQuery): Promise<Message[]> => {
    const q = db<Message>('messages').where({ room }).orderBy('seq', 'desc').limit(limit);
    if (after !== undefined) q.andWhere('seq', '>', after);
    if (upTo !== undefined) q.andWhere('seq', '<=', upTo);
    if (before !== undefined) q.andWhere('seq', '<', before);
    const rows = await q.select('room', 'seq', 'id', 'user', 'text', 'at');
    return rows.reverse().map((r) => ({ ...r, at: Number(r.at) }));
  };

  const rooms = async (dedupeWindow: number) => {
    const result = new Map<string, { seq: number; ids: [string, Original][] }>();
    const seqs: { room: string; seq: number }[] = await db('messages').select('room').max({ seq: 'seq' }).groupBy('room');
    for (const r of seqs) result.set(r.room, { seq: Number(r.seq), ids: [] });
    const recent = await db
      .select('room', 'id', 'seq', 'at')
      .from(db.raw('(select room, id, seq, at, row_number() over (partition by room order by seq desc) as n from messages)'))
      .where('n', '<=', dedupeWindow)
      .orderBy([{ column: 'room' }, { column: 'seq' }]);
    for (const r of recent) result.get(r.room)?.ids.push([r.id, { seq: Number(r.seq), at: Number(r.at) }]);
    return result;
  };

  const ping = async () => {
    try {
      await db.raw('select 1');
      return true;
    } catch {
      return false;
    }
  };

  return { db, write, history, rooms, ping, close: () => db.destroy() };
};
