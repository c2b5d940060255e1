// A store for marble specs: each batch commits `commitFrames` frames after it is written
// (or fails, for the batches numbered in `failing`), and what committed is kept in `writes`.
import { Observable, tap } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { Write } from '../../domain/writes';

export const fakeStore = (ts: TestScheduler, { commitFrames = 1, failing = new Set<number>() } = {}) => {
  const writes: Write[] = [];
  let batches = 0;
  const write = (batch: readonly Write[]): Observable<readonly null[]> => {
    const n = ++batches;
    const delay = '-'.repeat(commitFrames);
    if (failing.has(n)) return ts.createColdObservable<readonly null[]>(`${delay}#`, undefined, new Error('disk full'));
    return ts.createColdObservable(`${delay}(x|)`, { x: batch.map(() => null) }).pipe(tap(() => writes.push(...batch)));
  };
  return { write, writes };
};
export type FakeStore = ReturnType<typeof fakeStore>;
