// What both engines share: the migrations, and the reads (knex's query builder speaks both).
import { Knex, knex } from 'knex';
import { chatReads } from './chat';
import { docReads } from './docs';
import { feedReads } from './feeds';
import { geoReads } from './geo';

export const readsOf = (db: Knex) => ({ ...chatReads(db), ...docReads(db), ...geoReads(db), ...feedReads(db) });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Applies the migrations. Processes that start together on one SQLite file race for
 * knex's migration lock (the loser is told the table "is already locked") or to create
 * knex's own tables (the loser finds it "already exists"): the loser waits and tries
 * again, and then finds nothing left to do.
 */
const migrateRetrying = async (db: Knex, patienceMs = 60_000): Promise<void> => {
  const until = Date.now() + patienceMs;
  for (;;) {
    try {
      await db.migrate.latest();
      return;
    } catch (e) {
      const err = e as { name?: string; code?: string; message?: string };
      const raced = /already (locked|exists)/.test(err.message ?? '');
      if (!raced || Date.now() > until) throw e;
      await sleep(100 + Math.random() * 200);
    }
  }
};

/** Any number, the same in every process: the key of the advisory lock that migrations take. */
const MIGRATING = 7_270_631;

/**
 * On Postgres, one process migrates at a time, under an advisory lock held on a
 * connection of its own: knex's lock row cannot keep racers apart while knex's own tables
 * are being created (two can insert a lock row each, and both are then locked out for
 * good), and an advisory lock is released by Postgres if its holder dies.
 */
const migrate = async (db: Knex): Promise<void> => {
  if (db.client.dialect !== 'postgresql') return migrateRetrying(db);
  const held = await db.client.acquireConnection();
  try {
    await db.raw('select pg_advisory_lock(?)', [MIGRATING]).connection(held);
    try {
      await db.migrate.latest();
    } finally {
      await db.raw('select pg_advisory_unlock(?)', [MIGRATING]).connection(held);
    }
  } finally {
    await db.client.releaseConnection(held);
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
