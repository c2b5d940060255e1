// The feed statements of the batched write path, as shapes (shapes.ts) that batch.ts
// renders for SQLite and for Postgres. Every feed write becomes rows of these; batch.ts
// gathers the rows of one shape across a batch, and runs an ORDERED one alone, after
// everything before it (a follow and an unfollow of the same pair, say).
import type { FeedWrite, GroupWrite, Pair } from '../../domain/feeds/writes';
import { Insert, Row, Shape, named, text } from './shapes';

const ACTIVITY: Insert = {
  table: 'feed_activities',
  columns: [['id', 'bigint'], ...text('actor', 'verb', 'object', 'target', 'text', 'visibility'), ['at', 'bigint'], ...text('foreign_id')],
};
// A deleted activity stays as a tombstone (its id is never given again); its foreign id is freed.
const ACTIVITY_DELETE: Shape = { table: 'feed_activities', updateBy: [['id', 'bigint']], set: 'deleted = true, foreign_id = null' };
const GROUPS_OF_DELETED: Shape = { table: 'feed_groups', deleteBy: [['activity', 'bigint']] };
const FOLLOW: Insert = { table: 'feed_follows', columns: [...text('follower', 'followee'), ['at', 'bigint']], onConflict: { nothing: true } };
const FOLLOW_DELETE: Shape = { table: 'feed_follows', deleteBy: text('follower', 'followee') };
const BLOCK: Insert = { table: 'feed_blocks', columns: [...text('blocker', 'blocked'), ['at', 'bigint']], onConflict: { nothing: true } };
const BLOCK_DELETE: Shape = { table: 'feed_blocks', deleteBy: text('blocker', 'blocked') };
const REACTION: Insert = { table: 'feed_reactions', columns: [['activity', 'bigint'], ...text('kind', 'user', 'text'), ['at', 'bigint']], onConflict: { nothing: true } };
const REACTION_DELETE: Shape = { table: 'feed_reactions', deleteBy: [['activity', 'bigint'], ...text('kind', 'user')] };
// A group is written whole each time it grows, and is unseen and unread again.
const GROUP: Insert = {
  table: 'feed_groups',
  columns: [
    ['id', 'bigint'], ...text('user', 'verb', 'object'), ['activity', 'bigint'], ['day', 'integer'], ...text('actors'),
    ...named('actor_count', 'count')('integer'), ['updated_at', 'bigint'], ...named('seen', 'read')('boolean'),
  ],
  onConflict: { key: 'id', replace: ['actors', 'actor_count', 'count', 'updated_at'], reset: '"seen" = false, "read" = false' },
};
const GROUP_ACTOR: Insert = { table: 'feed_group_actors', columns: [['group_id', 'bigint'], ...text('actor')], onConflict: { nothing: true } };
const MARK_SEEN: Shape = { table: 'feed_groups', updateBy: text('user'), set: '"seen" = true', when: '"seen" = false' };
const MARK_READ: Shape = { table: 'feed_groups', updateBy: text('user'), set: '"seen" = true, "read" = true', when: '("seen" = false or "read" = false)' };
const MARK_READ_GROUPS: Shape = { table: 'feed_groups', updateBy: [...text('user'), ['id', 'bigint']], set: '"seen" = true, "read" = true' };

/** Deletes and updates: their order among the batch's other statements matters. */
export const FEED_ORDERED: readonly Shape[] = [ACTIVITY_DELETE, GROUPS_OF_DELETED, FOLLOW_DELETE, BLOCK_DELETE, REACTION_DELETE, MARK_SEEN, MARK_READ, MARK_READ_GROUPS];

const groupRows = ({ group: g, newActor }: GroupWrite): Row[] => {
  const rows: Row[] = [[GROUP, [g.id, g.recipient, g.verb, g.object, g.activity ?? null, g.day, JSON.stringify(g.actors), g.actorCount, g.count, g.updatedAt, 0, 0]]];
  if (newActor !== undefined) rows.push([GROUP_ACTOR, [g.id, newActor]]);
  return rows;
};

const pairs = (shape: Shape, ps: readonly Pair[]): Row[] => ps.map((p) => [shape, p]);

export const feedRows = (w: FeedWrite): Row[] => {
  switch (w.kind) {
    case 'post': {
      const a = w.activity;
      return [[ACTIVITY, [a.id, a.actor, a.verb, a.object, a.target ?? null, a.text ?? null, a.visibility, a.at, a.foreignId ?? null]]];
    }
    case 'delete':
      return [[ACTIVITY_DELETE, [w.id]], [GROUPS_OF_DELETED, [w.id]]];
    case 'follow':
      return [[FOLLOW, [w.follower, w.followee, w.at]], ...groupRows(w.notice)];
    case 'unfollow':
      return pairs(FOLLOW_DELETE, w.pairs);
    case 'block':
      return [...pairs(FOLLOW_DELETE, w.unfollows), [BLOCK, [w.blocker, w.blocked, w.at]]];
    case 'unblock':
      return [[BLOCK_DELETE, [w.blocker, w.blocked]]];
    case 'react':
      return [[REACTION, [w.activity, w.reaction, w.user, w.text ?? null, w.at]], ...(w.notice === undefined ? [] : groupRows(w.notice))];
    case 'unreact':
      return [[REACTION_DELETE, [w.activity, w.reaction, w.user]]];
    case 'mark': {
      const rows: Row[] = [];
      if (w.seen) rows.push([MARK_SEEN, [w.user]]);
      if (w.read === true) rows.push([MARK_READ, [w.user]]);
      else if (w.read !== undefined) rows.push(...w.read.map((id): Row => [MARK_READ_GROUPS, [w.user, id]]));
      return rows;
    }
  }
};
