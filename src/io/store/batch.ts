// A batch of Writes as SQL: the rows of each table become one constant statement
// whose rows arrive as a single JSON parameter, unpacked by SQLite's json_each. One parameter keeps statements the same text whatever the batch size
// (SQLite caps bound parameters and knex re-prepares every distinct text), and a JSON
// string crosses to the writer thread as one copy.
import type { Knex } from 'knex';
import { DeviceWrite, Write } from '../../domain/writes';
import type { DeviceState, FenceEvent } from '../../domain/geo/transitions';

export interface Statement {
  readonly sql: string;
  /** A JSON array: one element per row, as the statement's `value->>…` reads it. */
  readonly rows: string;
}

/** A column and how its value is read from the row's JSON: a scalar, or JSON text. */
type Column = readonly [name: string, as: 'value' | 'json'];

const columns = (cs: readonly Column[]) => cs.map(([c]) => c).join(', ');
const values = (cs: readonly Column[]) => cs.map(([, as], i) => `value${as === 'json' ? '->' : '->>'}${i}`).join(', ');
const insert = (table: string, cs: readonly Column[]): string => `insert into ${table} (${columns(cs)}) select ${values(cs)} from json_each(?)`;
const scalars = (...names: string[]): Column[] => names.map((n) => [n, 'value']);

const MESSAGE = insert('messages', scalars('room', 'seq', 'id', 'user', 'text', 'at'));
const DOC_OP = insert('doc_ops', [...scalars('doc', 'version'), ['op', 'json'], ...scalars('user', 'id', 'at')]);
const DOC_SNAPSHOT = insert('doc_snapshots', [...scalars('doc', 'version'), ['content', 'json']]);
const LOCATION = insert('locations', scalars('device', 'user', 'lat', 'lng', 'at', 'accuracy', 'stale'));
const FENCE_EVENT = insert('fence_events', scalars('fence', 'device', 'event', 'lat', 'lng', 'at'));
const FENCE_COLUMNS: Column[] = [...scalars('id', 'name'), ['shape', 'json'], ...scalars('dwell_ms', 'updated_at', 'owner')];
// `where true` tells SQLite's parser the ON CONFLICT belongs to the insert, not the select's join.
// A replaced fence keeps its owner.
const FENCE_UPSERT =
  `insert into fences (${columns(FENCE_COLUMNS)}) select ${values(FENCE_COLUMNS)} from json_each(?) where true ` +
  'on conflict (id) do update set name = excluded.name, shape = excluded.shape, dwell_ms = excluded.dwell_ms, updated_at = excluded.updated_at';
// One statement for every device change, so that a batch's changes to one device apply in
// their order. The owner is kept from the first row; null stays keep the stored ones.
const DEVICE_COLUMNS = scalars('device', 'owner', 'lat', 'lng', 'at', 'stays');
const DEVICE_UPSERT =
  `insert into devices (${columns(DEVICE_COLUMNS)}) select ${values(DEVICE_COLUMNS)} from json_each(?) where true ` +
  'on conflict (device) do update set lat = excluded.lat, lng = excluded.lng, at = excluded.at, stays = coalesce(excluded.stays, devices.stays)';
const FENCE_DELETE = 'delete from fences where id in (select value from json_each(?))';
/** Statements whose order among each other matters (a fence replaced, then deleted): they are never merged. */
const ORDERED = new Set([FENCE_UPSERT, FENCE_DELETE]);

type Row = readonly [sql: string, row: unknown];

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
      return [[FENCE_DELETE, w.id], ...w.devices.map(deviceRow), ...eventRows(w.events)];
  }
};

/**
 * Rows of one statement are gathered from the whole batch, in their order; an ORDERED
 * statement goes alone, after everything before it. A Write's rows are all in the one
 * transaction, so an update and its events commit together.
 */
export const toStatements = (batch: readonly Write[]): Statement[] => {
  const statements: Statement[] = [];
  let gathered = new Map<string, unknown[]>();
  const flush = () => {
    for (const [sql, rows] of gathered) statements.push({ sql, rows: JSON.stringify(rows) });
    gathered = new Map();
  };
  for (const w of batch) {
    for (const [sql, row] of rowsOf(w)) {
      if (ORDERED.has(sql)) {
        flush();
        statements.push({ sql, rows: JSON.stringify([row]) });
        continue;
      }
      const rows = gathered.get(sql);
      if (rows === undefined) gathered.set(sql, [row]);
      else rows.push(row);
    }
  }
  flush();
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
