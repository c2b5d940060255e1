// jest's globalTeardown: stops the Postgres that global-setup.ts started, if it did.
import type { Postgres } from './postgres';

export default async (): Promise<void> => {
  await (globalThis as { rusherTestPostgres?: Postgres }).rusherTestPostgres?.stop();
};
