import { Owners } from './owners';

describe('Owners', () => {
  it('counts what each user owns as ids are given, moved and dropped', () => {
    const o = new Owners();
    o.set('a', 'ann');
    o.set('b', 'ann');
    o.set('c', 'bob');
    expect([o.countOf('ann'), o.countOf('bob'), o.get('b')]).toEqual([2, 1, 'ann']);
    o.set('b', 'bob');
    expect([o.countOf('ann'), o.countOf('bob')]).toEqual([1, 2]);
    o.delete('a');
    o.delete('a');
    expect([o.countOf('ann'), o.get('a')]).toEqual([0, undefined]);
  });
});
