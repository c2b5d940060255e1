// A batch of Writes as SQL: the rows of each table become one constant statement whose
// rows arrive as a single JSON parameter, unpacked by the engine (SQLite's json_each,
// Postgres's json_array_elements). One parameter keeps statements the same text whatever
// the batch size (SQLite caps bound parameters, and knex and Postgres prepare or plan
// every distinct text), and a JSON string crosses to SQLite's writer thread as one copy.
import type { Knex } from 'knex';
import { DeviceWrite, Write } from '../../domain/writes';
import type { DeviceState, FenceEvent } from '../../domain/geo/transitions';
import { Column, Insert, OnConflict, Row, Shape, Type, named, text } from './shapes';
import { FEED_ORDERED, feedRows } from './feeds-batch';

export interface Statement {
  readonly sql: string;
  /** A JSON array: one element per row, as the statement reads it. */
  readonly rows: string;
}

/** What differs between the engines: how the JSON parameter becomes rows and typed values. */
export interface Dialect {
  /** The FROM item that turns the parameter into one row per array element. */
  readonly elements: string;
  /** Column `i` of the current element, as a value of `type`. */
  readonly field: (i: number, type: Type) => string;
  /** The current element itself, when it is a scalar (a key to delete). */
  readonly scalar: string;
}

export const SQLITE: Dialect = {
  elements: 'json_each(?)',
  field: (i, type) => `value${type === 'json' ? '->' : '->>'}${i}`,
  scalar: 'value',
};

const PG_TYPES: Record<Exclude<Type, 'json'>, string> = { text: 'text', integer: 'integer', bigint: 'bigint', double: 'double precision', boolean: 'boolean' };

// `json`, not `jsonb`: JSON columns (an op, a shape) are stored as the text that came in.
export const POSTGRES: Dialect = {
  elements: 'json_array_elements(?::json) as r',
  field: (i, type) => (type === 'json' ? `(r->${i})::text` : `(r->>${i})::${PG_TYPES[type]}`),
  scalar: '(r#>>\'{}\')',
};

const MESSAGE: Insert = { table: 'messages', columns: [...text('room'), ['seq', 'integer'], ...text('id', 'user', 'text'), ['at', 'bigint']] };
const DOC_OP: Insert = { table: 'doc_ops', columns: [...text('doc'), ['version', 'integer'], ['op', 'json'], ...text('user', 'id'), ['at', 'bigint']] };
const DOC_SNAPSHOT: Insert = { table: 'doc_snapshots', columns: [...text('doc'), ['version', 'integer'], ['content', 'json']] };
const LOCATION: Insert = {
  table: 'locations',
  columns: [...text('device', 'user'), ...named('lat', 'lng')('double'), ['at', 'bigint'], ['accuracy', 'double'], ['stale', 'boolean']],
};
const FENCE_EVENT: Insert = { table: 'fence_events', columns: [...text('fence', 'device', 'event'), ...named('lat', 'lng')('double'), ['at', 'bigint']] };
// A replaced fence keeps its owner.
const FENCE_UPSERT: Insert = {
  table: 'fences',
  columns: [...text('id', 'name'), ['shape', 'json'], ['dwell_ms', 'integer'], ['updated_at', 'bigint'], ...text('owner')],
  onConflict: { key: 'id', replace: ['name', 'shape', 'dwell_ms', 'updated_at'] },
};
// A device keeps its first owner; null stays keep the stored ones.
const DEVICE_UPSERT: Insert = {
  table: 'devices',
  columns: [...text('device', 'owner'), ...named('lat', 'lng')('double'), ['at', 'bigint'], ...text('stays')],
  onConflict: { key: 'device', replace: ['lat', 'lng', 'at'], replaceUnlessNull: ['stays'] },
};
const FENCE_DELETE: Shape = { table: 'fences', deleteBy: text('id') };
/** Statements whose order among each other matters (a fence replaced, then deleted): they are never merged. */
const ORDERED: ReadonlySet<Shape> = new Set([FENCE_UPSERT, FENCE_DELETE, ...FEED_ORDERED]);

// Every name is quoted: `user` is reserved in Postgres.
const q = (name: string) => `"${name}"`;

/** `(k1, k2) in (select …)`: the rows of the parameter as keys of `by`. */
const keyed = (d: Dialect, by: readonly Column[]): string =>
  `(${by.map(([c]) => q(c)).join(', ')}) in (select ${by.map(([, type], i) => d.field(i, type)).join(', ')} from ${d.elements})`;

const sqlOf = (d: Dialect, s: Shape): string => {
  if ('deleteBy' in s) return `delete from ${q(s.table)} where ${keyed(d, s.deleteBy)}`;
  if ('updateBy' in s) return `update ${q(s.table)} set ${s.set} where ${keyed(d, s.updateBy)}${s.when === undefined ? '' : ` and ${s.when}`}`;
  const names = s.columns.map(([c]) => q(c)).join(', ');
  const values = s.columns.map(([, type], i) => d.field(i, type)).join(', ');
  const insert = `insert into ${q(s.table)} (${names}) select ${values} from ${d.elements}`;
  if (s.onConflict === undefined) return insert;
  // `where true` tells SQLite's parser the ON CONFLICT belongs to the insert, not the select's join.
  if ('nothing' in s.onConflict) return `${insert} where true on conflict do nothing`;
  const { key, replace, replaceUnlessNull = [], reset } = s.onConflict;
  const update = [
    ...replace.map((c) => `${q(c)} = excluded.${q(c)}`),
    ...replaceUnlessNull.map((c) => `${q(c)} = coalesce(excluded.${q(c)}, ${q(s.table)}.${q(c)})`),
    ...(reset === undefined ? [] : [reset]),
  ];
  return `${insert} where true on conflict (${q(key)}) do update set ${update.join(', ')}`;
};

const eventRows = (events: readonly FenceEvent[]): Row[] => events.map((e) => [FENCE_EVENT, [e.fence, e.device, e.event, e.lat, e.lng, e.at]]);

/** Stays as stored: `{fence: [enteredAt, dwelled ? 1 : 0]}`. */
export const staysJson = (stays: DeviceState['stays']): string => {
  const out: Record<string, [number, number]> = {};
  for (const [fence, stay] of stays) out[fence] = [stay.enteredAt, stay.dwelled ? 1 : 0];
  return JSON.stringify(out);
};

const deviceRow = ({ owner, state, stays }: DeviceWrite): Row => [DEVICE_UPSERT, [state.device, owner, state.lat, state.lng, state.at, stays ? staysJson(state.stays) : null]];

const rowsOf = (w: Write): Row[] => {
  switch (w.kind) {
    case 'message': {
      const m = w.message;
      return [[MESSAGE, [m.room, m.seq, m.id, m.user, m.text, m.at]]];
    }
    case 'docOp':
      return [[DOC_OP, [w.doc, w.version, w.op, w.user, w.id ?? null, w.at]]];
    case 'docSnapshot':
      return [[DOC_SNAPSHOT, [w.doc, w.version, w.content]]];
    case 'location':
      return [
        [LOCATION, [w.device, w.user, w.lat, w.lng, w.at, w.accuracy ?? null, w.stale ? 1 : 0]],
        ...(w.state === undefined ? [] : [deviceRow(w.state)]),
        ...eventRows(w.events),
      ];
    case 'fence': {
      const f = w.fence;
      return [[FENCE_UPSERT, [f.id, f.name, f.shape, f.dwellMs ?? null, w.at, f.owner]], ...w.devices.map(deviceRow), ...eventRows(w.events)];
    }
    case 'fenceDelete':
      return [[FENCE_DELETE, [w.id]], ...w.devices.map(deviceRow), ...eventRows(w.events)];
    case 'feed':
      return feedRows(w.feed);
  }
};

/** An insert that updates the row of an existing key. */
type KeyedUpsert = Insert & { readonly onConflict: Extract<OnConflict, { key: string }> };

/**
 * Gathered upsert rows of one key become one row, as applying them in order would leave
 * it: the first row's values where nothing replaces them (a device's owner), the last
 * row's for `replace`, the last non-null for `replaceUnlessNull`. Postgres refuses to
 * update a row twice in one statement; this way both engines get one row a key.
 */
const merged = (s: KeyedUpsert, rows: unknown[]): unknown[] => {
  const { key, replace, replaceUnlessNull = [] } = s.onConflict;
  const at = (name: string) => s.columns.findIndex(([c]) => c === name);
  const k = at(key);
  const always = replace.map(at);
  const unlessNull = replaceUnlessNull.map(at);
  const byKey = new Map<unknown, unknown[]>();
  for (const row of rows as unknown[][]) {
    const seen = byKey.get(row[k]);
    if (seen === undefined) {
      byKey.set(row[k], [...row]);
      continue;
    }
    for (const i of always) seen[i] = row[i];
    for (const i of unlessNull) if (row[i] !== null) seen[i] = row[i];
  }
  return [...byKey.values()];
};

const updatesByKey = (s: Shape): s is KeyedUpsert => 'columns' in s && s.onConflict !== undefined && 'key' in s.onConflict;

/**
 * The batch as the dialect's statements. Rows of one statement are gathered from the
 * whole batch, in their order (an upsert's rows merged by key); an ORDERED statement goes
 * alone, after everything before it. A Write's rows are all in the one transaction, so an
 * update and its events commit together.
 */
export const statementsIn = (dialect: Dialect): ((batch: readonly Write[]) => Statement[]) => {
  const texts = new Map<Shape, string>();
  const sql = (s: Shape) => texts.get(s) ?? texts.set(s, sqlOf(dialect, s)).get(s)!;
  return (batch) => {
    const statements: Statement[] = [];
    let gathered = new Map<Shape, unknown[]>();
    const flush = () => {
      for (const [shape, rows] of gathered) statements.push({ sql: sql(shape), rows: JSON.stringify(updatesByKey(shape) ? merged(shape, rows) : rows) });
      gathered = new Map();
    };
    for (const w of batch) {
      for (const [shape, row] of rowsOf(w)) {
        if (ORDERED.has(shape)) {
          flush();
          statements.push({ sql: sql(shape), rows: JSON.stringify([row]) });
          continue;
        }
        const rows = gathered.get(shape);
        if (rows === undefined) gathered.set(shape, [row]);
        else rows.push(row);
      }
    }
    flush();
    return statements;
  };
};

/**
 * A batch broke a unique key: a room's seq or a document's version that another writer
 * committed first. Nothing of the batch was committed; the caller may reload and retry.
 */
export class Conflict extends Error {
  constructor(
    readonly table: string,
    message: string,
  ) {
    super(message);
    this.name = 'Conflict';
  }
}

/** The table whose unique key an engine's error reports as broken, if that is the error. */
export const conflictTable = (e: unknown): string | undefined => {
  const err = e as { code?: string; table?: string; message?: string };
  // Postgres: unique_violation, with the table named.
  if (err?.code === '23505') return err.table ?? 'unknown';
  // SQLite: "UNIQUE constraint failed: doc_ops.doc, doc_ops.version".
  if (err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE') return /failed: (\w+)\./.exec(err.message ?? '')?.[1] ?? 'unknown';
  return undefined;
};

/**
 * Runs the statements in one transaction: all of them commit, or none. With `held`, a
 * connection only this thread uses (SQLite's writer), the transaction is plain begin and
 * commit on it: knex's transaction object costs more than a small batch's rows do.
 * A broken unique key rejects with a Conflict.
 */
export const applyStatements = async (db: Knex, statements: readonly Statement[], held?: unknown): Promise<void> => {
  try {
    if (held === undefined) {
      await db.transaction(async (trx) => {
        for (const s of statements) await trx.raw(s.sql, [s.rows]);
      });
      return;
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
  } catch (e) {
    const table = conflictTable(e);
    throw table === undefined ? e : new Conflict(table, String((e as Error).message));
  }
};
