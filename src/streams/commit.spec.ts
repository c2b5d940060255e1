import { TestScheduler } from 'rxjs/testing';
import { isLeft, left, right } from 'fp-ts/Either';
import { Write } from '../domain/writes';
import { commitBatches, commitStage } from './commit';
import { Out, pending, send, unavailable } from './effects';

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

describe('commitStage', () => {
  const note = (text: string): Write => ({ kind: 'message', message: { room: 'r', seq: 1, user: 'u', text, at: 0, id: text } });
  // A write whose settle says which result it got.
  const asking = (text: string) =>
    pending(note(text), (r) => [send('c', { type: isLeft(r) ? 'failed' : 'done', text })]);

  it('passes effects straight on, and a write\'s effects only after its batch commits, a batch as one array', () =>
    scheduler().run(({ hot, cold, expectObservable }) => {
      const outs = hot<Out>('ab-c', { a: asking('x'), b: send('c', { type: 'now' }), c: asking('y') });
      const write = (batch: readonly Write[]) => cold('---(r|)', { r: batch.map(() => null) });
      expectObservable(outs.pipe(commitStage(write, { maxSize: 10, maxDelayMs: 3 }))).toBe('-n----d', {
        n: [send('c', { type: 'now' })],
        d: [send('c', { type: 'done', text: 'x' }), send('c', { type: 'done', text: 'y' })],
      });
    }));

  it('settles every write of a failed batch with unavailable', () =>
    scheduler().run(({ hot, cold, expectObservable }) => {
      const outs = hot<Out>('ab', { a: asking('x'), b: asking('y') });
      const write = () => cold<readonly null[]>('-#');
      expectObservable(outs.pipe(commitStage(write, { maxSize: 2, maxDelayMs: 5 }))).toBe('--f', {
        f: [send('c', { type: 'failed', text: 'x' }), send('c', { type: 'failed', text: 'y' })],
      });
    }));

  it('commits what is queued when its input completes, then completes', () =>
    scheduler().run(({ hot, cold, expectObservable }) => {
      const outs = hot<Out>('a|', { a: asking('x') });
      const write = (batch: readonly Write[]) => cold('--(r|)', { r: batch.map(() => null) });
      expectObservable(outs.pipe(commitStage(write, { maxSize: 10, maxDelayMs: 50 }))).toBe('---(d|)', {
        d: [send('c', { type: 'done', text: 'x' })],
      });
    }));
});
