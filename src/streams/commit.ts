// The batched side-effect stream: writes queue up, a batch closes on size or after
// `maxDelayMs`, one `write` call (one store transaction) commits it, and each write's
// result goes back to whoever asked. Batches commit one at a time, in order.
import { Observable, ObservableInput, SchedulerLike, Subject, Subscription, asyncScheduler, defer } from 'rxjs';
import { Either, left, right } from 'fp-ts/Either';
import { ProtocolError } from '../domain/errors';
import { Write } from '../domain/writes';
import { Effect, Out, Pending, unavailable } from './effects';

export interface BatchLimits {
  readonly maxSize: number;
  readonly maxDelayMs: number;
}

export interface Settled<W, R> {
  readonly write: W;
  readonly result: Either<ProtocolError, R>;
}

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

/**
 * The commit stage every pipeline's output goes through: effects pass straight on;
 * writes are batched and committed, and each write's `settle` effects follow its
 * batch's commit, the whole batch as one array (so the gateway can cork them). When
 * `outs$` completes, what is queued is committed, then the stage completes.
 */
export const commitStage =
  (write: (batch: readonly Write[]) => ObservableInput<readonly unknown[]>, limits: BatchLimits, scheduler: SchedulerLike = asyncScheduler) =>
  (outs$: Observable<Out>): Observable<readonly Effect[]> =>
    new Observable((out) => {
      const writes = new Subject<Pending>();
      const committed = commitBatches(writes, (batch) => write(batch.map((p) => p.write)), limits, scheduler).subscribe({
        next: (settled) => out.next(settled.length === 1 ? settled[0].write.settle(settled[0].result) : settled.flatMap((s) => s.write.settle(s.result))),
        error: (e) => out.error(e),
        complete: () => out.complete(),
      });
      const input = outs$.subscribe({
        next: (o) => (o.kind === 'write' ? writes.next(o) : out.next([o])),
        error: (e) => out.error(e),
        complete: () => writes.complete(),
      });
      return () => {
        input.unsubscribe();
        committed.unsubscribe();
      };
    });
