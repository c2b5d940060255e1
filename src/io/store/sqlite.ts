// The SQLite store: opens the file (WAL), applies migrations, commits each batch of
// Writes in one transaction on the writer thread, and answers reads on this one (WAL
// lets readers run beside the writer).
import fs from 'fs';
import path from 'path';
import { Durability, knexConfig } from '../../../knexfile';
import { Write } from '../../domain/writes';
import { SQLITE, applyStatements, statementsIn } from './batch';
import type { Store } from '.';
import { answers, openMigrated, readsOf } from './reads';
import { Writer, startWriter } from './writer';

const statements = statementsIn(SQLITE);

export const openSqlite = async (filename: string, durability: Durability): Promise<Store> => {
  const inMemory = filename === ':memory:';
  if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  const db = await openMigrated(knexConfig(filename, durability));
  // An in-memory database lives on one connection, so it is written from here.
  // The writer thread starts with the first write: a cluster worker that owns nothing
  // written to saves its memory (a second V8 isolate).
  let started: Writer | undefined;
  const writerOf = (): Writer =>
    (started ??= inMemory ? { write: (s) => applyStatements(db, s), alive: () => true, close: async () => {} } : startWriter(filename, durability));

  return {
    db,
    write: async (batch: readonly Write[]) => {
      await writerOf().write(statements(batch));
      return batch.map(() => null);
    },
    ...readsOf(db),
    ping: async () => (started === undefined || started.alive()) && answers(db),
    close: async () => {
      await started?.close();
      await db.destroy();
    },
  };
};
