import { DAY_MS, MAX_ACTORS, Notification, groupKey, joinGroup } from './aggregation';
import { Inbox } from './inbox';

const at = (day: number, h = 0) => day * DAY_MS + h * 3_600_000;
const like = (actor: string, when: number, object = '000000000007'): Notification => ({ recipient: 'ann', verb: 'like', object, activity: 7, actor, at: when });

describe('the aggregation key', () => {
  it.each([
    ['the same verb, object and UTC day', like('bob', at(3, 1)), like('cid', at(3, 23)), true],
    ['another UTC day', like('bob', at(3, 23)), like('bob', at(4, 0)), false],
    ['another object', like('bob', at(3)), like('bob', at(3), '000000000008'), false],
    ['another verb', like('bob', at(3)), { ...like('bob', at(3)), verb: 'love' }, false],
    ['another recipient', like('bob', at(3)), { ...like('bob', at(3)), recipient: 'bob' }, false],
  ])('%s: same group = %s', (_, a, b, same) => {
    expect(groupKey(a) === groupKey(b)).toBe(same);
  });
});

describe('a group growing', () => {
  it('keeps the latest distinct actors first, at most ten, and counts actors and notifications', () => {
    let g = joinGroup(undefined, like('a0', at(3)), false, 1);
    expect(g).toMatchObject({ id: 1, actors: ['a0'], actorCount: 1, count: 1, day: 3 });
    for (let i = 1; i < 12; i++) g = joinGroup(g, like(`a${i}`, at(3, 1)), false, 99);
    expect(g.actors).toEqual(['a11', 'a10', 'a9', 'a8', 'a7', 'a6', 'a5', 'a4', 'a3', 'a2']);
    expect(g.actors).toHaveLength(MAX_ACTORS);
    g = joinGroup(g, like('a5', at(3, 2)), true, 99);
    expect(g).toMatchObject({ id: 1, actorCount: 12, count: 13, updatedAt: at(3, 2) });
    expect(g.actors.slice(0, 2)).toEqual(['a5', 'a11']);
  });
});

describe('Inbox', () => {
  it('counts unseen and unread groups once committed; a failed write puts the group back', () => {
    const inbox = new Inbox();
    const first = inbox.notify(like('bob', at(3)));
    expect(inbox.counters('ann')).toEqual({ unseen: 0, unread: 0 });
    inbox.settled(first.group, 'bob', first.newActor, true);
    expect(inbox.counters('ann')).toEqual({ unseen: 1, unread: 1 });
    const again = inbox.notify(like('bob', at(3, 1)));
    expect(again).toMatchObject({ newActor: false, group: { id: first.group.id, count: 2, actorCount: 1 } });
    const failed = inbox.notify(like('cid', at(3, 2)));
    expect(failed.group).toMatchObject({ count: 3, actorCount: 2 });
    inbox.settled(again.group, 'bob', false, true);
    inbox.settled(failed.group, 'cid', true, false);
    expect(inbox.notify(like('cid', at(3, 3))).group).toMatchObject({ count: 3, actorCount: 2, actors: ['cid', 'bob'] });
    expect(inbox.marked('ann', true, undefined)).toEqual({ unseen: 0, unread: 1 });
    expect(inbox.marked('ann', false, [first.group.id])).toEqual({ unseen: 0, unread: 0 });
  });

  it('starts a new group on a new UTC day, and forgets the groups of an activity deleted', () => {
    const inbox = new Inbox();
    const d3 = inbox.notify(like('bob', at(3)));
    inbox.settled(d3.group, 'bob', true, true);
    const d4 = inbox.notify(like('bob', at(4)));
    inbox.settled(d4.group, 'bob', true, true);
    expect(d4.group.id).not.toBe(d3.group.id);
    const follow = inbox.notify({ recipient: 'ann', verb: 'follow', object: 'ann', actor: 'bob', at: at(4) });
    inbox.settled(follow.group, 'bob', true, true);
    expect(inbox.counters('ann')).toEqual({ unseen: 3, unread: 3 });
    expect(inbox.activityDeleted('ann', 7)).toEqual({ unseen: 1, unread: 1 });
  });
});
