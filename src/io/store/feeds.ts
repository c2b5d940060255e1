// The feed reads: the state the feed pipeline rebuilds in memory at start (the activity
// index, follows, blocks, today's notification groups and what is unseen or unread),
// and what it reads on demand (activities by id, an activity's reactions, a user's
// notification groups).
import type { Knex } from 'knex';
import { Activity, Counts, Visibility } from '../../domain/feeds/activity';
import { Group, dayOf, groupView } from '../../domain/feeds/aggregation';
import { StoredGroup, StoredMark } from '../../domain/feeds/inbox';
import { StoredReaction } from '../../domain/feeds/reactions';
import type { StoredFeeds } from '../../streams/feeds';

interface ActivityRow {
  id: number;
  actor: string;
  verb: string;
  object: string;
  target: string | null;
  text: string | null;
  visibility: Visibility;
  at: number;
  foreign_id: string | null;
}

interface GroupRow {
  id: number;
  user: string;
  verb: string;
  object: string;
  activity: number | null;
  day: number;
  actors: string;
  actor_count: number;
  count: number;
  updated_at: number;
  seen: number | boolean;
  read: number | boolean;
}

/** Rows read at a time at start: bounds the memory a large table takes while it loads. */
const PAGE = 50_000;

const toGroup = (r: GroupRow): Group => ({
  id: Number(r.id),
  recipient: r.user,
  verb: r.verb,
  object: r.object,
  ...(r.activity === null ? {} : { activity: Number(r.activity) }),
  day: Number(r.day),
  actors: JSON.parse(r.actors),
  actorCount: Number(r.actor_count),
  count: Number(r.count),
  updatedAt: Number(r.updated_at),
});

const toActivity = (r: ActivityRow, reactions: Counts): Activity => ({
  id: Number(r.id),
  actor: r.actor,
  verb: r.verb,
  object: r.object,
  ...(r.target === null ? {} : { target: r.target }),
  ...(r.text === null ? {} : { text: r.text }),
  visibility: r.visibility,
  at: Number(r.at),
  ...(r.foreign_id === null ? {} : { foreignId: r.foreign_id }),
  reactions,
});

export const feedReads = (db: Knex) => ({
  /** Everything the pipeline keeps in memory; `now` says which day's groups can still grow. */
  feeds: async (now: number): Promise<StoredFeeds> => {
    const activities: StoredFeeds['activities'][number][] = [];
    for (let after = -1; ; ) {
      const rows: Pick<ActivityRow, 'id' | 'actor' | 'visibility' | 'foreign_id'>[] = await db('feed_activities')
        .where('deleted', false)
        .andWhere('id', '>', after)
        .orderBy('id')
        .limit(PAGE)
        .select('id', 'actor', 'visibility', 'foreign_id');
      for (const r of rows) activities.push({ id: Number(r.id), actor: r.actor, visibility: r.visibility, ...(r.foreign_id === null ? {} : { foreignId: r.foreign_id }) });
      if (rows.length < PAGE) break;
      after = Number(rows[rows.length - 1].id);
    }
    const last = await db('feed_activities').max({ id: 'id' }).first();
    const follows = (await db('feed_follows').select('follower', 'followee')).map((r: { follower: string; followee: string }) => [r.follower, r.followee] as const);
    const blocks = (await db('feed_blocks').select('blocker', 'blocked')).map((r: { blocker: string; blocked: string }) => [r.blocker, r.blocked] as const);

    const today = dayOf(now);
    const groupRows: GroupRow[] = await db('feed_groups').where('day', '>=', today).select();
    const actorRows: { group_id: number; actor: string }[] = await db('feed_group_actors')
      .whereIn('group_id', db('feed_groups').where('day', '>=', today).select('id'))
      .select('group_id', 'actor');
    const actorsOf = new Map<number, string[]>();
    for (const r of actorRows) {
      const id = Number(r.group_id);
      actorsOf.set(id, [...(actorsOf.get(id) ?? []), r.actor]);
    }
    const groups: StoredGroup[] = groupRows.map((r) => ({ group: toGroup(r), actors: actorsOf.get(Number(r.id)) ?? [] }));
    const markRows: Pick<GroupRow, 'id' | 'user' | 'activity' | 'seen' | 'read'>[] = await db('feed_groups')
      .where('seen', false)
      .orWhere('read', false)
      .select('id', 'user', 'activity', 'seen', 'read');
    const marks: StoredMark[] = markRows.map((r) => ({
      recipient: r.user,
      id: Number(r.id),
      ...(r.activity === null ? {} : { activity: Number(r.activity) }),
      seen: Boolean(r.seen),
      read: Boolean(r.read),
    }));
    const lastGroup = await db('feed_groups').max({ id: 'id' }).first();
    return {
      activities,
      lastActivityId: Number(last?.id ?? 0),
      follows,
      blocks,
      inbox: { groups, marks, lastId: Number(lastGroup?.id ?? 0) },
    };
  },

  /** The activities of `ids` that are not deleted, with their reaction counts, in no particular order. */
  activities: async (ids: readonly number[]): Promise<Activity[]> => {
    if (ids.length === 0) return [];
    const rows: ActivityRow[] = await db('feed_activities')
      .whereIn('id', ids)
      .andWhere('deleted', false)
      .select('id', 'actor', 'verb', 'object', 'target', 'text', 'visibility', 'at', 'foreign_id');
    const counts: { activity: number; kind: string; n: number }[] = await db('feed_reactions')
      .whereIn('activity', ids)
      .groupBy('activity', 'kind')
      .select('activity', 'kind')
      .count({ n: '*' });
    const byId = new Map<number, Record<string, number>>();
    for (const c of counts) {
      const id = Number(c.activity);
      byId.set(id, { ...byId.get(id), [c.kind]: Number(c.n) });
    }
    return rows.map((r) => toActivity(r, byId.get(Number(r.id)) ?? {}));
  },

  reactionsOf: async (activity: number): Promise<StoredReaction[]> => db('feed_reactions').where({ activity }).select('user', 'kind'),

  /** A user's groups, the most recently updated first, as the protocol shows them. */
  notificationGroups: async (user: string, limit: number) => {
    const rows: GroupRow[] = await db('feed_groups').where({ user }).orderBy([{ column: 'updated_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit).select();
    return rows.map((r) => groupView(toGroup(r), Boolean(r.seen), Boolean(r.read)));
  },
});
