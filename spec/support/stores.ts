// The two engines a spec runs on: `describe.each(STORES)` gives each store a fresh
// database (a SQLite file in a temp dir, or a new database on the run's Postgres).
import fs from 'fs';
import os from 'os';
import path from 'path';
import { createDatabase } from './postgres';

export interface StoreUnderTest {
  readonly name: 'sqlite' | 'postgres';
  /** RUSHER_DB for a new, empty database. */
  readonly fresh: () => Promise<string>;
}

export const tempDb = (): string => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rusher-')), 'rusher.db');

const testPostgres = (): string => {
  const url = process.env.RUSHER_TEST_POSTGRES;
  if (url === undefined) throw new Error('RUSHER_TEST_POSTGRES is not set: run the specs through jest (its globalSetup starts Postgres)');
  return url;
};

export const SQLITE: StoreUnderTest = { name: 'sqlite', fresh: async () => tempDb() };
export const POSTGRES: StoreUnderTest = { name: 'postgres', fresh: () => createDatabase(testPostgres()) };
export const STORES: readonly StoreUnderTest[] = [SQLITE, POSTGRES];
