// The store's writer thread: SQLite work for a batch (several µs a row) runs here, on
// its own core, while the main thread serves sockets. It takes batches of statements
// in order, one transaction each, and answers each with ok or the error.
import { parentPort, workerData } from 'worker_threads';
import { knex } from 'knex';
import { Durability, knexConfig } from '../../../knexfile';
import { Conflict, Statement, applyStatements } from './batch';

export interface WriterData {
  readonly filename: string;
  readonly durability: Durability;
}

export type ToWriter = { readonly id: number; readonly statements: readonly Statement[] } | { readonly close: true };
/** `conflict` names the table whose unique key the batch broke (see Conflict). */
export type FromWriter = { readonly id: number; readonly error?: string; readonly conflict?: string };

const { filename, durability } = workerData as WriterData;
const db = knex(knexConfig(filename, durability));
const port = parentPort!;
// The one connection this thread writes on, for as long as it runs. The checkpoint
// thread keeps the WAL short; a commit checkpoints only if that thread falls far behind
// (16,384 pages, 64 MB, instead of SQLite's 1,000).
const held: Promise<unknown> = db.client.acquireConnection().then((conn: { pragma: (s: string) => unknown }) => {
  conn.pragma('wal_autocheckpoint = 16384');
  return conn;
});

// Messages are handled one after another: a batch starts only when the last has settled.
let queue = Promise.resolve();
port.on('message', (m: ToWriter) => {
  if ('close' in m) {
    // After the last batch: close the database, then let the thread end.
    queue = queue
      .then(() => held)
      .then((conn) => db.client.releaseConnection(conn))
      .then(() => db.destroy())
      .then(() => port.close());
    return;
  }
  queue = queue.then(() =>
    held.then((conn) => applyStatements(db, m.statements, conn)).then(
      () => port.postMessage({ id: m.id } satisfies FromWriter),
      (e: unknown) =>
        port.postMessage({ id: m.id, error: String((e as Error)?.message ?? e), conflict: e instanceof Conflict ? e.table : undefined } satisfies FromWriter),
    ),
  );
});
