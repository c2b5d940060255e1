// The knex store: opens SQLite (WAL), applies migrations, commits each batch of Writes
// in one transaction on the writer thread, and answers reads on this one (WAL lets
// readers run beside the writer).
import fs from 'fs';
import path from 'path';
import { knex, Knex } from 'knex';
import { Durability, knexConfig } from '../../../knexfile';
import { Write } from '../../domain/writes';
import { applyStatements, toStatements } from './batch';
import { chatReads } from './chat';
import { docReads } from './docs';
import { feedReads } from './feeds';
import { geoReads } from './geo';
import { Writer, startWriter } from './writer';

export interface Store extends ReturnType<typeof chatReads>, ReturnType<typeof docReads>, ReturnType<typeof geoReads>, ReturnType<typeof feedReads> {
  readonly db: Knex;
  /** One transaction for the whole batch; rejects (and commits nothing) on any failure. */
  write(batch: readonly Write[]): Promise<readonly null[]>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const openStore = async (filename: string, durability: Durability = 'normal'): Promise<Store> => {
  const inMemory = filename === ':memory:';
  if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  const db = knex(knexConfig(filename, durability));
  await db.migrate.latest();
  // An in-memory database lives on one connection, so it is written from here.
  // The writer thread starts with the first write: a cluster worker that owns nothing
  // written to saves its memory (a second V8 isolate).
  let started: Writer | undefined;
  const writerOf = (): Writer =>
    (started ??= inMemory ? { write: (s) => applyStatements(db, s), alive: () => true, close: async () => {} } : startWriter(filename, durability));

  const write = async (batch: readonly Write[]) => {
    await writerOf().write(toStatements(batch));
    return batch.map(() => null);
  };

  const ping = async () => {
    if (started !== undefined && !started.alive()) return false;
    try {
      await db.raw('select 1');
      return true;
    } catch {
      return false;
    }
  };

  return {
    db,
    write,
    ...chatReads(db),
    ...docReads(db),
    ...geoReads(db),
    ...feedReads(db),
    ping,
    close: async () => {
      await started?.close();
      await db.destroy();
    },
  };
};
