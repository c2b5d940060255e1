// The pieces batched statements are made of (batch.ts): a batch's rows of one statement
// arrive as one JSON array parameter, unpacked by SQLite's json_each.

/** A column and how its value is read from the row's JSON: a scalar, or JSON text. */
export type Column = readonly [name: string, as: 'value' | 'json'];

/** A statement and one row for it. */
export type Row = readonly [sql: string, row: unknown];

export const columns = (cs: readonly Column[]) => cs.map(([c]) => c).join(', ');
export const values = (cs: readonly Column[]) => cs.map(([, as], i) => `value${as === 'json' ? '->' : '->>'}${i}`).join(', ');
export const insert = (table: string, cs: readonly Column[]): string => `insert into ${table} (${columns(cs)}) select ${values(cs)} from json_each(?)`;
export const scalars = (...names: string[]): Column[] => names.map((n) => [n, 'value']);
