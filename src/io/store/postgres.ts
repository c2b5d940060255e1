// The Postgres store: a knex pool; each batch of Writes is one transaction, one
// statement a table, on a connection of the pool (the work is in the Postgres server,
// so no thread of ours is needed). Several processes may share the database: the keys
// order them (a room's (room, seq), a document's (doc, version)), and a batch that
// breaks one commits nothing and rejects with a Conflict.
import { knexConfig } from '../../../knexfile';
import { Write } from '../../domain/writes';
import { POSTGRES, applyStatements, statementsIn } from './batch';
import type { Store } from '.';
import { answers, openMigrated, readsOf } from './reads';

const statements = statementsIn(POSTGRES);

export const openPostgres = async (url: string): Promise<Store> => {
  const db = await openMigrated(knexConfig(url));
  return {
    db,
    write: async (batch: readonly Write[]) => {
      await applyStatements(db, statements(batch));
      return batch.map(() => null);
    },
    ...readsOf(db),
    ping: () => answers(db),
    close: () => db.destroy(),
  };
};
