// The main thread's end of the writer thread: `write` resolves when the batch is
// committed, rejects when it failed (and nothing of it was).
import path from 'path';
import { Worker } from 'worker_threads';
import { Durability } from '../../../knexfile';
import { Conflict, Statement } from './batch';
import type { FromWriter, ToWriter, WriterData } from './writer-thread';
import type { CheckpointData } from './checkpoint-thread';

/** How often the checkpoint thread moves the WAL into the database file. */
const CHECKPOINT_EVERY_MS = 100;

export interface Writer {
  write(statements: readonly Statement[]): Promise<void>;
  /** False once the thread has died: every write fails from then on. */
  alive(): boolean;
  close(): Promise<void>;
}

export const startWriter = (filename: string, durability: Durability): Writer => {
  const worker = new Worker(path.join(__dirname, 'writer-thread.js'), { workerData: { filename, durability } satisfies WriterData });
  const checkpointer = new Worker(path.join(__dirname, 'checkpoint-thread.js'), {
    workerData: { filename, everyMs: CHECKPOINT_EVERY_MS } satisfies CheckpointData,
  });
  // Should it fail, the writer's own autocheckpoint (writer-thread.ts) still bounds the WAL.
  checkpointer.on('error', () => {});
  checkpointer.unref();
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let ids = 0;
  let dead: Error | undefined;
  const failAll = (e: Error) => {
    dead = e;
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  worker.on('message', (m: FromWriter) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error === undefined) w?.resolve();
    else w?.reject(m.conflict === undefined ? new Error(m.error) : new Conflict(m.conflict, m.error));
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the writer thread exited (${code})`)));
  // The thread must not keep a stopping process alive; close() waits for it explicitly.
  worker.unref();
  return {
    alive: () => dead === undefined,
    write: (statements) =>
      new Promise((resolve, reject) => {
        if (dead) return reject(dead);
        const id = ++ids;
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, statements } satisfies ToWriter);
      }),
    close: async () => {
      const stopped = (w: Worker) => new Promise<void>((resolve) => (w.threadId === -1 ? resolve() : w.once('exit', () => resolve())));
      const writerStopped = stopped(worker);
      const checkpointerStopped = stopped(checkpointer);
      worker.postMessage({ close: true } satisfies ToWriter);
      checkpointer.postMessage('close');
      await Promise.all([writerStopped, checkpointerStopped]);
    },
  };
};
