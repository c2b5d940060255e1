// Who may see an activity. Decided whenever an activity is read or sent, from the ties
// between the viewer and the actor as they are at that moment — never stored with the
// activity, so a follow shows earlier activities and an unfollow or block hides them.
//
// - The actor always sees their own activities.
// - A block, either way, hides everything: to the blocked user the blocker's
//   activities do not exist, and the blocker does not see the blocked user's.
// - `public`: anyone signed in (on the actor's feed); in timelines, the followers.
// - `followers`: users who follow the actor.
// - `friends`: users who follow the actor and whom the actor follows back.
// - A timeline holds the viewer's own activities and those of the users the viewer
//   follows that the viewer may see; a user's feed holds that user's activities that
//   the viewer may see.
import type { Visibility } from './activity';

/** The ties between a viewer and an actor (not the same user), as they are now. */
export interface Ties {
  /** The viewer follows the actor. */
  readonly follows: boolean;
  /** The actor follows the viewer. */
  readonly followedBack: boolean;
  /** Either has blocked the other. */
  readonly blocked: boolean;
}

/**
 * How much of an actor's activities a viewer may see: `all` (themselves, or friends),
 * `open` (public and followers: a follower), `public` (anyone else), `none` (a block).
 * Each includes the next: every activity in `open` is in `all`, and so on.
 */
export type Reach = 'all' | 'open' | 'public' | 'none';

export const reachOf = (viewer: string, actor: string, ties: Ties): Reach => {
  if (viewer === actor) return 'all';
  if (ties.blocked) return 'none';
  if (!ties.follows) return 'public';
  return ties.followedBack ? 'all' : 'open';
};

/** The reach an activity of this visibility needs. */
const needs: Readonly<Record<Visibility, Reach>> = { public: 'public', followers: 'open', friends: 'all' };
const rank: Readonly<Record<Reach, number>> = { none: 0, public: 1, open: 2, all: 3 };

export const within = (reach: Reach, visibility: Visibility): boolean => rank[reach] >= rank[needs[visibility]];

/** May `viewer` see an activity of `actor` with this visibility (on the actor's feed, as a reaction target)? */
export const maySee = (viewer: string, actor: string, visibility: Visibility, ties: Ties): boolean => within(reachOf(viewer, actor, ties), visibility);

/** What of `actor`'s activities belongs in `viewer`'s timeline: only followed users (and oneself) are there. */
export const timelineReach = (viewer: string, actor: string, ties: Ties): Reach =>
  viewer === actor || ties.follows ? reachOf(viewer, actor, ties) : 'none';

/**
 * Who hears of a new activity live, besides the actor: the actor's followers, or only
 * the friends. (A public activity reaches non-followers only when they read the feed.)
 */
export type Audience = 'followers' | 'friends';
export const audienceOf = (visibility: Visibility): Audience => (visibility === 'friends' ? 'friends' : 'followers');
