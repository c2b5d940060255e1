// The statements of the batched write path, described once as shapes (a table, its typed
// columns, what a conflict or a key does) and rendered per engine by batch.ts. A batch's
// rows of one shape arrive as one JSON array parameter.

/** How a column's value is read from its row's JSON: the type it is stored as, or JSON text. */
export type Type = 'text' | 'integer' | 'bigint' | 'double' | 'boolean' | 'json';
export type Column = readonly [name: string, type: Type];

/**
 * What an insert does with a row whose key exists already: update it (`replace` columns
 * take the new value, `replaceUnlessNull` ones too unless it is null, `reset` is SQL
 * assignments of constants; the others keep the stored value), or nothing.
 */
export type OnConflict =
  | { readonly key: string; readonly replace: readonly string[]; readonly replaceUnlessNull?: readonly string[]; readonly reset?: string }
  | { readonly nothing: true };

/** Rows inserted. Each row is a JSON array, in column order. */
export interface Insert {
  readonly table: string;
  readonly columns: readonly Column[];
  readonly onConflict?: OnConflict;
}
/** Rows deleted by key: each row is a JSON array of the key's values. */
export interface Delete {
  readonly table: string;
  readonly deleteBy: readonly Column[];
}
/** Rows updated by key: `set` assigns constants (SQL), `when` narrows the rows (SQL). */
export interface Update {
  readonly table: string;
  readonly updateBy: readonly Column[];
  readonly set: string;
  readonly when?: string;
}
export type Shape = Insert | Delete | Update;

/** A shape and one row for it. */
export type Row = readonly [shape: Shape, row: unknown];

export const named = (...names: string[]) => (type: Type): Column[] => names.map((n) => [n, type]);
export const text = (...names: string[]) => named(...names)('text');
