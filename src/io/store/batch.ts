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

/** A column and how its value is read from the row's JSON: a scalar, or JSON text. */
type Column = readonly [name: string, as: 'value' | 'json'];

const insert = (table: string, columns: readonly Column[]): string =>
  `insert into ${table} (${columns.map(([c]) => c).join(', ')}) ` +
  `select ${columns.map(([, as], i) => `value${as === 'json' ? '->' : '->>'}${i}`).join(', ')} from json_each(?)`;

const scalars = (...names: string[]): Column[] => names.map((n) => [n, 'value']);

const tables: { readonly [K in Kind]: Table<K> } = {
  message: {
    sql: insert('messages', scalars('room', 'seq', 'id', 'user', 'text', 'at')),
    row: ({ message: m }) => [m.room, m.seq, m.id, m.user, m.text, m.at],
  },
  docOp: {
    sql: insert('doc_ops', [...scalars('doc', 'version'), ['op', 'json'], ...scalars('user', 'id', 'at')]),
    row: (w) => [w.doc, w.version, w.op, w.user, w.id ?? null, w.at],
  },
  docSnapshot: {
    sql: insert('doc_snapshots', [...scalars('doc', 'version'), ['content', 'json']]),
    row: (w) => [w.doc, w.version, w.content],
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
