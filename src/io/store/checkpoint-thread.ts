// Moves the WAL into the database file on its own thread and connection, so that no
// commit pays for it: with SQLite's default, the commit that crosses 1,000 WAL pages
// copies them all and syncs the file, and that batch's acks wait. Small and often is
// better: bench:chat's ack p99 at 10k msgs/s was 15.5–18.3 ms with SQLite's default,
// 20–24 ms checkpointing here every 500 ms, 10–12 ms every 100 ms. PASSIVE never waits
// for readers or the writer; what it cannot copy now, the next round does. It uses
// better-sqlite3 directly, not knex: it runs one pragma and should cost little memory.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'worker_threads';

export interface CheckpointData {
  readonly filename: string;
  readonly everyMs: number;
}

const { filename, everyMs } = workerData as CheckpointData;
// No busy wait: a checkpoint that finds the file busy is simply retried next round.
const db = new Database(filename, { timeout: 0 });
const port = parentPort!;

const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // SQLITE_BUSY: another worker process is checkpointing the same file; next round.
  }
}, everyMs);

port.on('message', () => {
  clearInterval(timer);
  db.close();
  port.close();
});
