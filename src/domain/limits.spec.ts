import { InFlight, fullBucket, roomFor, take } from './limits';

describe('take (a token bucket)', () => {
  it('lets a burst through, then the rate', () => {
    const b = fullBucket(4, 0);
    expect([1, 2, 3, 4, 5].map(() => take(b, 0, 2, 4))).toEqual([true, true, true, true, false]);
    expect(take(b, 250, 2, 4)).toBe(false);
    expect(take(b, 500, 2, 4)).toBe(true);
    expect(take(b, 500, 2, 4)).toBe(false);
  });

  it('refills no further than the burst', () => {
    const b = fullBucket(2, 0);
    take(b, 0, 1, 2);
    expect([take(b, 60_000, 1, 2), take(b, 60_000, 1, 2), take(b, 60_000, 1, 2)]).toEqual([true, true, false]);
  });
});

describe('roomFor', () => {
  it.each([
    [0, 1_000_000, true],
    [3, 2, true],
    [3, 3, false],
  ])('limit %i with %i held: %s', (limit, count, ok) => expect(roomFor(limit, count)).toBe(ok));
});

describe('InFlight', () => {
  it('counts per socket and forgets a socket at zero', () => {
    const f = new InFlight();
    f.add('a');
    f.add('a');
    f.add('b');
    f.done('a');
    expect([f.count('a'), f.count('b'), f.count('c')]).toEqual([1, 1, 0]);
    f.done('a');
    expect(f.count('a')).toBe(0);
  });
});
