import fc from 'fast-check';
import { Relation } from './relation';

describe('Relation', () => {
  it('shows a granting edge only once committed, and hides it as soon as it is undone', () => {
    const r = new Relation(true);
    expect(r.decide('a', 'b', true)).toBe(true);
    expect([r.has('a', 'b'), r.intends('a', 'b')]).toEqual([false, true]);
    expect(r.decide('a', 'b', true)).toBe(false);
    r.settle('a', 'b', true, true);
    expect(r.has('a', 'b')).toBe(true);
    r.decide('a', 'b', false);
    expect([r.has('a', 'b'), r.intends('a', 'b')]).toEqual([false, false]);
    r.settle('a', 'b', false, false);
    expect([r.has('a', 'b'), r.intends('a', 'b')]).toEqual([true, true]);
  });

  it('shows a revoking edge as soon as it is decided, and keeps it until its undoing commits', () => {
    const r = new Relation(false);
    r.decide('a', 'b', true);
    expect(r.has('a', 'b')).toBe(true);
    r.settle('a', 'b', true, true);
    r.decide('a', 'b', false);
    expect(r.has('a', 'b')).toBe(true);
    r.settle('a', 'b', false, true);
    expect(r.has('a', 'b')).toBe(false);
  });

  // Decisions are committed in order; a failure fails every write queued behind it (as
  // commitBatches does). Whatever the interleaving, a reader of a granting relation sees
  // an edge only if the store has it and the latest decision wants it, and once all has
  // settled the relation is exactly what the store holds.
  it('never shows a granting edge the store does not hold, and ends where the store is', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('decide' as const), to: fc.boolean() }),
      fc.record({ k: fc.constant('settle' as const), ok: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const r = new Relation(true);
        let stored = false;
        let queue: boolean[] = [];
        for (const o of ops) {
          if (o.k === 'decide') {
            if (r.decide('a', 'b', o.to)) queue.push(o.to);
          } else if (queue.length > 0) {
            if (o.ok) {
              const to = queue.shift()!;
              stored = to;
              r.settle('a', 'b', to, true);
            } else {
              for (const to of queue) r.settle('a', 'b', to, false);
              queue = [];
            }
          }
          if (r.has('a', 'b')) expect(stored).toBe(true);
        }
        for (const to of queue) {
          stored = to;
          r.settle('a', 'b', to, true);
        }
        expect([r.has('a', 'b'), r.intends('a', 'b')]).toEqual([stored, stored]);
      }),
    );
  });
});
