// A batch of Writes as SQL: each run of writes of one kind becomes one constant
// statement whose rows arrive as a single JSON parameter, unpacked by SQLite's
// json_each. One parameter keeps statements the same text whatever the batch size
// (SQLite caps bound parameters and knex re-prepares every distinct text), and a JSON
// string crosses to the writer thread as one copy.
import type { Knex } from 'knex';
import { Write } from '../../domain/writes';

export interface Statement {
  readonly sql: string;
  /** A JSON array: one element per row, as the statement's `value->>…` reads it. */
  readonly rows: string;
}

type Kind = Write['kind'];

interface Table<K extends Kind> {
  readonly sql: string;
  readonly row: (w: Extract<Write, { kind: K }>) => unknown;
}

const insert = (table: string, columns: readonly string[]): string =>
  `insert into ${table} (${columns.join(', ')}) select ${columns.map((_, i) => `value->>${i}`).join(', ')} from json_each(?)`;

const tables: { readonly [K in Kind]: Table<K> } = {
  message: {
    sql: insert('messages', ['room', 'seq', 'id', 'user', 'text', 'at']),
    row: ({ message: m }) => [m.room, m.seq, m.id, m.user, m.text, m.at],
  },
};

export const toStatements = (batch: readonly Write[]): Statement[] => {
  const statements: Statement[] = [];
  let i = 0;
  while (i < batch.length) {
    const kind = batch[i].kind;
    const table = tables[kind] as Table<Kind>;
    const rows: unknown[] = [];
    for (; i < batch.length && batch[i].kind === kind; i++) rows.push(table.row(batch[i]));
    statements.push({ sql: table.sql, rows: JSON.stringify(rows) });
  }
  return statements;
};

/**
 * Runs the statements in one transaction: all of them commit, or none. With `held`, a
 * connection only this thread uses (the writer's), the transaction is plain begin and
 * commit on it: knex's transaction object costs more than a small batch's rows do.
 */
export const applyStatements = async (db: Knex, statements: readonly Statement[], held?: unknown): Promise<void> => {
  if (held === undefined) {
    return db.transaction(async (trx) => {
      for (const s of statements) await trx.raw(s.sql, [s.rows]);
    });
  }
  const run = (sql: string, bindings: readonly Knex.Value[] = []) => db.raw(sql, bindings).connection(held);
  await run('begin immediate');
  try {
    for (const s of statements) await run(s.sql, [s.rows]);
    await run('commit');
  } catch (e) {
    await run('rollback');
    throw e;
  }
};
