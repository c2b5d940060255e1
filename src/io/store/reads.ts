// What both engines share: the migrations, and the reads (knex's query builder speaks both).
import { Knex, knex } from 'knex';
import { chatReads } from './chat';
import { docReads } from './docs';
import { geoReads } from './geo';

export const readsOf = (db: Knex) => ({ ...chatReads(db), ...docReads(db), ...geoReads(db) });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Applies the migrations. Processes that start together on one database race for knex's
 * migration lock (the loser is told the table "is already locked") or to create knex's
 * own tables (the loser finds it "already exists", or breaks a unique key): the loser
 * waits and tries again, and then finds nothing left to do.
 */
const migrate = async (db: Knex, patienceMs = 60_000): Promise<void> => {
  const until = Date.now() + patienceMs;
  for (;;) {
    try {
      await db.migrate.latest();
      return;
    } catch (e) {
      const err = e as { name?: string; code?: string; message?: string };
      const raced = err.name === 'MigrationLocked' || /already (locked|exists)/.test(err.message ?? '') || err.code === '23505' || err.code === '42P07';
      if (!raced || Date.now() > until) throw e;
      await sleep(100 + Math.random() * 200);
    }
  }
};

/** A knex instance on a database with every migration applied. */
export const openMigrated = async (config: Knex.Config): Promise<Knex> => {
  const db = knex(config);
  try {
    await migrate(db);
    return db;
  } catch (e) {
    await db.destroy();
    throw e;
  }
};

/** True when the database answers. */
export const answers = async (db: Knex): Promise<boolean> => {
  try {
    await db.raw('select 1');
    return true;
  } catch {
    return false;
  }
};
