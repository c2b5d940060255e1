// knex configuration for the store, chosen by RUSHER_DB: a `postgres://` (or
// `postgresql://`) URL is Postgres, anything else a SQLite file. Migrations are loaded
// from beside this file with its own extension: `.ts` under jest, `.js` once compiled.
import path from 'path';
import type { Knex } from 'knex';

export type Durability = 'normal' | 'full';

export const isPostgres = (db: string): boolean => /^postgres(ql)?:\/\//i.test(db);

const migrations: Knex.MigratorConfig = {
  directory: path.join(__dirname, 'migrations'),
  loadExtensions: [path.extname(__filename)],
};

const sqliteConfig = (filename: string, durability: Durability): Knex.Config => ({
  client: 'better-sqlite3',
  connection: { filename },
  useNullAsDefault: true,
  migrations,
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

// Durability on Postgres is the server's (synchronous_commit, fsync): a commit that
// returns is durable with its defaults. The pool serves the one writer and the reads.
const postgresConfig = (url: string): Knex.Config => ({
  client: 'pg',
  connection: url,
  migrations,
  pool: { min: 0, max: 8 },
});

export const knexConfig = (db: string, durability: Durability = 'normal'): Knex.Config =>
  isPostgres(db) ? postgresConfig(db) : sqliteConfig(db, durability);

// For the knex CLI: `npm run migrate` uses the compiled copy in dist/. The CLI moves into
// dist/ first, so a relative RUSHER_DB is taken from where npm was run (INIT_CWD).
const configured = process.env.RUSHER_DB ?? './data/rusher.db';
export default knexConfig(isPostgres(configured) ? configured : path.resolve(process.env.INIT_CWD ?? process.cwd(), configured));
