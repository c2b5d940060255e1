// The batched side-effect stream: writes queue up, a batch closes on size or after
// `maxDelayMs`, one `write` call (one store transaction) commits it, and each write's
// result goes back to whoever asked. Batches commit one at a time, in order.
import { Observable, ObservableInput, Observer, SchedulerLike, Subject, Subscription, asyncScheduler, defer, from } from 'rxjs';
import { Either, left, right } from 'fp-ts/Either';
import { ProtocolError, err } from '../domain/errors';

export interface BatchLimits {
  readonly maxSize: number;
  readonly maxDelayMs: number;
}

export interface Settled<W, R> {
  readonly write: W;
  readonly result: Either<ProtocolError, R>;
}

export const unavailable = err('unavailable', 'the store failed; nothing was committed; retry');

/**
 * Idle, the first write starts the `maxDelayMs` clock and `maxSize` closes a batch
 * early. While a batch is being written the next one fills up, and it is written as
 * soon as the first settles: under load, batches grow instead of latency.
 *
 * A failed batch also fails every write queued behind it: those were ordered (given a
 * seq or a version) on top of state that was never committed, and the callers roll
 * their state back when they see the failure. Completing `writes$` flushes what is
 * queued, then completes.
 */
export const commitBatches = <W, R>(
  writes$: Observable<W>,
  write: (batch: readonly W[]) => ObservableInput<readonly R[]>,
  { maxSize, maxDelayMs }: BatchLimits,
  scheduler: SchedulerLike = asyncScheduler,
): Observable<readonly Settled<W, R>[]> =>
  new Observable((out) => {
    let queue: W[] = [];
    let timer: Subscription | undefined;
    let writing = false;
    let inputDone = false;

    const settle = (batch: readonly W[], results: readonly R[]) =>
      out.next(batch.map((w, i) => ({ write: w, result: right(results[i]) })));

    const fail = (batch: readonly W[]) => {
      const failed = batch.concat(queue);
      queue = [];
      out.next(failed.map((w) => ({ write: w, result: left(unavailable) })));
    };

    // Results are delivered while `writing` still holds, so writes they cause queue up
    // and go out in the next batch, right after.
    const next = () => {
      writing = false;
      if (queue.length > 0) flush();
      else if (inputDone) out.complete();
    };

    const flush = () => {
      timer?.unsubscribe();
      timer = undefined;
      const batch = queue.length <= maxSize ? queue : queue.slice(0, maxSize);
      queue = queue.length <= maxSize ? [] : queue.slice(maxSize);
      writing = true;
      let results: readonly R[] | undefined;
      defer(() => write(batch)).subscribe({
        next: (r) => (results = r),
        error: () => {
          fail(batch);
          next();
        },
        complete: () => {
          if (results?.length === batch.length) settle(batch, results);
          else fail(batch);
          next();
        },
      });
    };

    const input = writes$.subscribe({
      next: (w) => {
        queue.push(w);
        if (writing) return;
        if (queue.length >= maxSize) flush();
        else timer ??= scheduler.schedule(flush, maxDelayMs);
      },
      error: (e) => out.error(e),
      complete: () => {
        inputDone = true;
        if (!writing) next();
      },
    });

    return () => {
      input.unsubscribe();
      timer?.unsubscribe();
    };
  });

/** What a pipeline holds: `commit(w)` emits w's result once its batch is committed. */
export interface Committer<W, R> {
  readonly commit: (w: W) => Observable<R>;
  /** Flushes every queued write; resolves when the last batch has settled. */
  readonly close: () => Promise<void>;
}

interface Request<W, R> {
  readonly write: W;
  readonly reply: Observer<R>;
}

/** Wraps `commitBatches` so that each request gets its own result back. */
export const committer = <W, R>(
  write: (batch: readonly W[]) => ObservableInput<readonly R[]>,
  limits: BatchLimits,
  scheduler: SchedulerLike = asyncScheduler,
): Committer<W, R> => {
  const requests = new Subject<Request<W, R>>();
  let closed = false;
  const done = new Promise<void>((resolve) =>
    commitBatches(requests, (batch) => from(write(batch.map((r) => r.write))), limits, scheduler).subscribe({
      next: (settled) => {
        for (const { write: request, result } of settled) {
          if (result._tag === 'Right') {
            request.reply.next(result.right);
            request.reply.complete();
          } else request.reply.error(result.left);
        }
      },
      complete: resolve,
      error: resolve,
    }),
  );
  return {
    commit: (w) =>
      new Observable<R>((reply) => {
        if (closed) reply.error(unavailable);
        else requests.next({ write: w, reply });
      }),
    close: () => {
      closed = true;
      requests.complete();
      return done;
    },
  };
};
