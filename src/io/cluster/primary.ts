// The primary of a cluster: it applies the migrations once, forks the workers, lets
// them listen only when every one of them is on the bus (a frame forwarded to a worker
// not yet subscribed would be lost), restarts a worker that dies, and on SIGTERM or
// SIGINT stops them all and exits with 0 once they have flushed.
import { ChildProcess, fork } from 'child_process';
import { Logger } from '../log';

export type FromWorker = { readonly type: 'subscribed' } | { readonly type: 'listening' };
export type ToWorker = { readonly type: 'listen' };

export interface PrimaryOptions {
  readonly workers: number;
  readonly script: string;
  readonly describe: string;
}

export const runPrimary = ({ workers, script, describe }: PrimaryOptions, log: Logger): Promise<number> =>
  new Promise((resolve) => {
    const children: (ChildProcess | undefined)[] = [];
    const subscribed = new Set<number>();
    const listening = new Set<number>();
    let started = false;
    let stopping = false;

    const stopAll = (code: number) => {
      if (stopping) return;
      stopping = true;
      const alive = children.filter((c): c is ChildProcess => c !== undefined && c.exitCode === null);
      if (alive.length === 0) resolve(code);
      let left = alive.length;
      for (const c of alive) {
        c.once('exit', (exit) => {
          if (exit !== 0) code = code || 1;
          if (--left === 0) resolve(code);
        });
        c.kill('SIGTERM');
      }
    };

    const start = (i: number) => {
      const child = fork(script, process.argv.slice(2), { env: { ...process.env, RUSHER_WORKER_INDEX: String(i) } });
      children[i] = child;
      child.on('message', (m: FromWorker) => {
        if (m.type === 'subscribed') {
          subscribed.add(i);
          // At start, all listen together; a restarted worker listens at once.
          if (started) child.send({ type: 'listen' } satisfies ToWorker);
          else if (subscribed.size === workers) for (const c of children) c?.send({ type: 'listen' } satisfies ToWorker);
        } else if (m.type === 'listening') {
          listening.add(i);
          if (!started && listening.size === workers) {
            started = true;
            log.info({ workers }, `rusher accepting connections on ${describe} with ${workers} workers`);
          }
        }
      });
      child.on('exit', (code, signal) => {
        subscribed.delete(i);
        listening.delete(i);
        if (stopping) return;
        if (!started) {
          log.error({ worker: i, code, signal }, 'a worker exited while starting');
          stopAll(1);
          return;
        }
        log.error({ worker: i, code, signal }, 'a worker died; starting it again');
        start(i);
      });
    };

    for (let i = 0; i < workers; i++) start(i);
    process.on('SIGTERM', () => stopAll(0));
    process.on('SIGINT', () => stopAll(0));
  });
