// jest's globalSetup: one embedded Postgres for the whole run (each spec makes its own
// databases on it), unless RUSHER_TEST_POSTGRES already names a server to use (a
// `postgres://` URL of a role that may create databases). global-teardown.ts stops it.
import { Postgres, THROWAWAY, startPostgres } from './postgres';

export default async (): Promise<void> => {
  if (process.env.RUSHER_TEST_POSTGRES) return;
  const pg = await startPostgres(THROWAWAY);
  (globalThis as { rusherTestPostgres?: Postgres }).rusherTestPostgres = pg;
  process.env.RUSHER_TEST_POSTGRES = pg.url;
};
