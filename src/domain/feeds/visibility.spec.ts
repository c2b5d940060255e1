import { Visibility } from './activity';
import { Ties, maySee, reachOf, timelineReach } from './visibility';

const ties = (follows: boolean, followedBack: boolean, blocked = false): Ties => ({ follows, followedBack, blocked });

describe('visibility of an activity to a viewer', () => {
  // viewer follows actor · actor follows viewer · blocked · public · followers · friends
  const table: [string, Ties, Record<Visibility, boolean>][] = [
    ['a stranger', ties(false, false), { public: true, followers: false, friends: false }],
    ['a user the actor follows, not following back', ties(false, true), { public: true, followers: false, friends: false }],
    ['a follower', ties(true, false), { public: true, followers: true, friends: false }],
    ['a friend (each follows the other)', ties(true, true), { public: true, followers: true, friends: true }],
    ['a friend, blocked', ties(true, true, true), { public: false, followers: false, friends: false }],
    ['a stranger, blocked', ties(false, false, true), { public: false, followers: false, friends: false }],
  ];
  it.each(table)('%s', (_, t, expected) => {
    for (const v of ['public', 'followers', 'friends'] as const) expect([v, maySee('viewer', 'actor', v, t)]).toEqual([v, expected[v]]);
  });

  it('lets the actor see every activity of their own', () => {
    for (const v of ['public', 'followers', 'friends'] as const) expect(maySee('ann', 'ann', v, ties(false, false, true))).toBe(true);
  });

  it('puts in a timeline only the actors the viewer follows, and the viewer', () => {
    expect(timelineReach('v', 'a', ties(false, true))).toBe('none');
    expect(timelineReach('v', 'a', ties(true, false))).toBe('open');
    expect(timelineReach('v', 'a', ties(true, true))).toBe('all');
    expect(timelineReach('v', 'v', ties(false, false))).toBe('all');
    expect(reachOf('v', 'a', ties(false, false))).toBe('public');
  });
});
