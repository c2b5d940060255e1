// THE FEED STATEMENTS of the batched write path (SQLite: json_each; a Postgres store
// needs a twin of each). Every feed write becomes rows of these; batch.ts gathers the
// rows of one statement across a batch, and runs an ORDERED statement alone, after
// everything before it (a follow and an unfollow of the same pair, say).
import type { FeedWrite, GroupWrite, Pair } from '../../domain/feeds/writes';
import { Row, insert, scalars } from './sql';

// `where true` tells SQLite's parser the ON CONFLICT belongs to the insert, not the select.
const ACTIVITY = insert('feed_activities', scalars('id', 'actor', 'verb', 'object', 'target', 'text', 'visibility', 'at', 'foreign_id'));
const ACTIVITY_DELETE = 'update feed_activities set deleted = 1, foreign_id = null where id in (select value from json_each(?))';
const GROUPS_OF_DELETED = 'delete from feed_groups where activity in (select value from json_each(?))';
const FOLLOW = `${insert('feed_follows', scalars('follower', 'followee', 'at'))} where true on conflict do nothing`;
const FOLLOW_DELETE = 'delete from feed_follows where (follower, followee) in (select value->>0, value->>1 from json_each(?))';
const BLOCK = `${insert('feed_blocks', scalars('blocker', 'blocked', 'at'))} where true on conflict do nothing`;
const BLOCK_DELETE = 'delete from feed_blocks where (blocker, blocked) in (select value->>0, value->>1 from json_each(?))';
const REACTION = `${insert('feed_reactions', scalars('activity', 'kind', 'user', 'text', 'at'))} where true on conflict do nothing`;
const REACTION_DELETE = 'delete from feed_reactions where (activity, kind, user) in (select value->>0, value->>1, value->>2 from json_each(?))';
// A group is written whole each time it grows, and is unseen and unread again.
const GROUP =
  `${insert('feed_groups', scalars('id', 'user', 'verb', 'object', 'activity', 'day', 'actors', 'actor_count', 'count', 'updated_at', 'seen', 'read'))} where true ` +
  'on conflict (id) do update set actors = excluded.actors, actor_count = excluded.actor_count, count = excluded.count, updated_at = excluded.updated_at, seen = 0, read = 0';
const GROUP_ACTOR = `${insert('feed_group_actors', scalars('group_id', 'actor'))} where true on conflict do nothing`;
const MARK_SEEN = 'update feed_groups set seen = 1 where seen = 0 and user in (select value from json_each(?))';
const MARK_READ = 'update feed_groups set seen = 1, read = 1 where (seen = 0 or read = 0) and user in (select value from json_each(?))';
const MARK_READ_GROUPS = 'update feed_groups set seen = 1, read = 1 where (user, id) in (select value->>0, value->>1 from json_each(?))';

/** Deletes and updates: their order among the batch's other statements matters. */
export const FEED_ORDERED: readonly string[] = [ACTIVITY_DELETE, GROUPS_OF_DELETED, FOLLOW_DELETE, BLOCK_DELETE, REACTION_DELETE, MARK_SEEN, MARK_READ, MARK_READ_GROUPS];

const groupRows = ({ group: g, newActor }: GroupWrite): Row[] => {
  const rows: Row[] = [[GROUP, [g.id, g.recipient, g.verb, g.object, g.activity ?? null, g.day, JSON.stringify(g.actors), g.actorCount, g.count, g.updatedAt, 0, 0]]];
  if (newActor !== undefined) rows.push([GROUP_ACTOR, [g.id, newActor]]);
  return rows;
};

const pairs = (sql: string, ps: readonly Pair[]): Row[] => ps.map((p) => [sql, p]);

export const feedRows = (w: FeedWrite): Row[] => {
  switch (w.kind) {
    case 'post': {
      const a = w.activity;
      return [[ACTIVITY, [a.id, a.actor, a.verb, a.object, a.target ?? null, a.text ?? null, a.visibility, a.at, a.foreignId ?? null]]];
    }
    case 'delete':
      return [[ACTIVITY_DELETE, w.id], [GROUPS_OF_DELETED, w.id]];
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
      if (w.seen) rows.push([MARK_SEEN, w.user]);
      if (w.read === true) rows.push([MARK_READ, w.user]);
      else if (w.read !== undefined) rows.push(...w.read.map((id): Row => [MARK_READ_GROUPS, [w.user, id]]));
      return rows;
    }
  }
};
