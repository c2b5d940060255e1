// knex configuration for the SQLite store. Migrations are loaded from beside this file
// with its own extension: `.ts` under jest, `.js` once compiled to dist/.
import path from 'path';
import type { Knex } from 'knex';

export type Durability = 'normal' | 'full';

export const knexConfig = (filename: string, durability: Durability = 'normal'): Knex.Config => ({
  client: 'better-sqlite3',
  connection: { filename },
  useNullAsDefault: true,
  migrations: {
    directory: path.join(__dirname, 'migrations'),
    loadExtensions: [path.extname(__filename)],
  },
  pool: {
    // WAL: readers do not block the writer; synchronous=NORMAL survives a killed
    // process (the WAL is in the OS page cache), FULL also survives power loss.
    afterCreate: (db: { pragma: (s: string) => unknown }, done: (e: Error | null, db: unknown) => void) => {
      try {
        db.pragma('journal_mode = WAL');
        db.pragma(`synchronous = ${durability.toUpperCase()}`);
        db.pragma('busy_timeout = 5000');
        db.pragma('foreign_keys = ON');
        done(null, db);
      } catch (e) {
        done(e as Error, db);
      }
    },
  },
});

// For the knex CLI: `npm run migrate` uses the compiled copy in dist/. The CLI moves into
// dist/ first, so a relative RUSHER_DB is taken from where npm was run (INIT_CWD).
export default knexConfig(path.resolve(process.env.INIT_CWD ?? process.cwd(), process.env.RUSHER_DB ?? './data/rusher.db'));
