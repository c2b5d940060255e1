import { TestScheduler } from 'rxjs/testing';
import { Observable, map, throwError } from 'rxjs';
import { left, right } from 'fp-ts/Either';
import { commitBatches, committer, unavailable } from './commit';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const ok = (...ws: string[]) => ws.map((w) => ({ write: w, result: right(w.toUpperCase()) }));
const failed = (...ws: string[]) => ws.map((w) => ({ write: w, result: left(unavailable) }));

describe('commitBatches', () => {
  it('closes a batch after maxDelayMs when it stays under maxSize', () =>
    scheduler().run(({ hot, cold, expectObservable }) => {
      const writes = hot('a-b-------c');
      const write = (batch: readonly string[]) => cold('(r|)', { r: batch.map((w) => w.toUpperCase()) });
      expectObservable(commitBatches(writes, write, { maxSize: 10, maxDelayMs: 5 })).toBe('-----x---------y', {
        x: ok('a', 'b'),
        y: ok('c'),
      });
    }));

  it('closes a batch as soon as it reaches maxSize', () =>
    scheduler().run(({ hot, cold, expectObservable }) => {
      const writes = hot('a(bc)d');
      const write = (batch: readonly string[]) => cold('(r|)', { r: batch.map((w) => w.toUpperCase()) });
      expectObservable(commitBatches(writes, write, { maxSize: 2, maxDelayMs: 5 })).toBe('-(xy)-----z', {
        x: ok('a', 'b'),
        y: ok('c'),
        z: ok('d'),
      });
    }));

  it('acks only after the batch is committed, and writes the next batch right after', () =>
    scheduler().run(({ hot, cold, expectObservable }) => {
      const writes = hot('a-bc');
      const calls: string[][] = [];
      const write = (batch: readonly string[]) => {
        calls.push([...batch]);
        return cold('----(r|)', { r: batch.map((w) => w.toUpperCase()) });
      };
      // a: batch closes at 1, commits at 5; b and c wait for it, then go at once.
      expectObservable(commitBatches(writes, write, { maxSize: 10, maxDelayMs: 1 })).toBe('-----x---y', {
        x: ok('a'),
        y: ok('b', 'c'),
      });
    }));

  it('keeps the order of writes across batches', () =>
    scheduler().run(({ hot, cold, expectObservable }) => {
      const writes = hot('(abcdefg)');
      const write = (batch: readonly string[]) => cold('-(r|)', { r: batch.map((w) => w.toUpperCase()) });
      expectObservable(commitBatches(writes, write, { maxSize: 3, maxDelayMs: 100 })).toBe('-xyz', {
        x: ok('a', 'b', 'c'),
        y: ok('d', 'e', 'f'),
        z: ok('g'),
      });
    }));

  it('fails a whole batch with unavailable when the commit fails, and every write queued behind it', () =>
    scheduler().run(({ hot, cold, expectObservable }) => {
      const writes = hot('a-b---c');
      const write = (batch: readonly string[]) =>
        batch[0] === 'a' ? cold<string[]>('--#') : cold('(r|)', { r: batch.map((w) => w.toUpperCase()) });
      expectObservable(commitBatches(writes, write, { maxSize: 10, maxDelayMs: 1 })).toBe('---x---y', {
        x: failed('a', 'b'),
        y: ok('c'),
      });
    }));

  it('treats a write that returns the wrong number of results as failed', () =>
    scheduler().run(({ hot, cold, expectObservable }) => {
      const writes = hot('ab');
      const write = () => cold('(r|)', { r: ['only one'] });
      expectObservable(commitBatches(writes, write, { maxSize: 2, maxDelayMs: 1 })).toBe('-x', { x: failed('a', 'b') });
    }));

  it('flushes what is queued when its input completes, then completes', () =>
    scheduler().run(({ hot, cold, expectObservable }) => {
      const writes = hot('ab|');
      const write = (batch: readonly string[]) => cold('--(r|)', { r: batch.map((w) => w.toUpperCase()) });
      expectObservable(commitBatches(writes, write, { maxSize: 10, maxDelayMs: 50 })).toBe('----(x|)', { x: ok('a', 'b') });
    }));
});

describe('committer', () => {
  it('routes each result back to its own request, after the commit', () =>
    scheduler().run(({ cold, hot, expectObservable }) => {
      const c = committer<string, number>((batch) => cold('--(r|)', { r: batch.map((w) => w.length) }), { maxSize: 10, maxDelayMs: 2 });
      const requests = hot('a-b', { a: 'x', b: 'yyy' });
      const replies = new Observable<number>((sub) => requests.subscribe((w) => c.commit(w).subscribe((n) => sub.next(n))));
      expectObservable(replies).toBe('----(ab)', { a: 1, b: 3 });
    }));

  it('errors with unavailable when the batch fails', () =>
    scheduler().run(({ expectObservable }) => {
      const c = committer<string, number>(() => throwError(() => new Error('disk full')), { maxSize: 1, maxDelayMs: 2 });
      expectObservable(c.commit('x').pipe(map(String))).toBe('#', undefined, unavailable);
    }));
});
