// The store: one interface, two engines behind it, chosen by RUSHER_DB. A `postgres://`
// URL is Postgres (a pool; several processes may share the database); anything else is
// a SQLite file (WAL, a writer thread). The pipelines see only this interface.
import type { Knex } from 'knex';
import { Durability, isPostgres } from '../../../knexfile';
import { Write } from '../../domain/writes';
import { chatReads } from './chat';
import { docReads } from './docs';
import { feedReads } from './feeds';
import { geoReads } from './geo';
import { openPostgres } from './postgres';
import { openSqlite } from './sqlite';

export { Conflict } from './batch';

export interface Store extends ReturnType<typeof chatReads>, ReturnType<typeof docReads>, ReturnType<typeof geoReads>, ReturnType<typeof feedReads> {
  readonly db: Knex;
  /**
   * One transaction for the whole batch; rejects (and commits nothing) on any failure,
   * with a Conflict when another writer took a room's seq or a document's version first.
   */
  write(batch: readonly Write[]): Promise<readonly null[]>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const openStore = (db: string, durability: Durability = 'normal'): Promise<Store> =>
  isPostgres(db) ? openPostgres(db) : openSqlite(db, durability);
