// Activity feeds in order: posts, follows, blocks and reactions are decided against the
// graph and the index in memory, committed, then acked, then told (topics: see
// feed-listeners.ts). Reads are pages of the in-memory index; the activities on a page
// come from a cache or, once, from the store. Visibility is asked at every read and
// every send (domain/feeds/visibility.ts).
import { Observable, ObservableInput, SchedulerLike, asyncScheduler, catchError, defer, map, mergeMap, of } from 'rxjs';
import { Either, isLeft } from 'fp-ts/Either';
import { Activity, ActivityBody, Visibility, activityView, formatId, parseId } from '../domain/feeds/activity';
import { GroupView, groupView } from '../domain/feeds/aggregation';
import { ActivityCache } from '../domain/feeds/cache';
import { ForeignIds } from '../domain/feeds/foreign-ids';
import { Graph } from '../domain/feeds/graph';
import { Inbox, StoredInbox } from '../domain/feeds/inbox';
import { Timelines, userPage } from '../domain/feeds/pages';
import { Reactions, StoredReaction } from '../domain/feeds/reactions';
import { ActivityIndex, Page } from '../domain/feeds/timeline';
import { audienceOf, maySee } from '../domain/feeds/visibility';
import { FeedWrite, GroupWrite } from '../domain/feeds/writes';
import { ProtocolError, err } from '../domain/errors';
import { FrameOf, Ref } from '../domain/protocol';
import { Conn, Effect, Inbound, Out, ServerFrame, guarded, isProtocolError, pending, publish, replyError, send, unavailable, withRef } from './effects';
import { Listeners, audienceTopic, ownTopic } from './feed-listeners';

/** What the store holds, as the pipeline rebuilds it at start. */
export interface StoredFeeds {
  readonly activities: readonly { readonly id: number; readonly actor: string; readonly visibility: Visibility; readonly foreignId?: string }[];
  /** The greatest id ever given, deleted or not: ids are never given twice. */
  readonly lastActivityId: number;
  readonly follows: Iterable<readonly [string, string]>;
  readonly blocks: Iterable<readonly [string, string]>;
  readonly inbox: StoredInbox;
}

export const NO_FEEDS: StoredFeeds = { activities: [], lastActivityId: 0, follows: [], blocks: [], inbox: { groups: [], marks: [], lastId: 0 } };

export interface FeedDeps {
  readonly stored: StoredFeeds;
  /** The activities of these ids that are not deleted, with their counts, in any order. */
  readonly activities: (ids: readonly number[]) => ObservableInput<readonly Activity[]>;
  readonly reactionsOf: (activity: number) => ObservableInput<readonly StoredReaction[]>;
  readonly notificationGroups: (user: string, limit: number) => ObservableInput<readonly GroupView[]>;
  /** Activities kept in memory for readers. */
  readonly cacheSize: number;
  /** Activities whose reactions are kept in memory. */
  readonly reactionsLoaded: number;
}

/** Activities kept for readers (a few hundred bytes each), and activities whose reactions are kept. */
export const CACHE_SIZE = 100_000;
export const REACTIONS_LOADED = 10_000;
export const DEFAULT_PAGE = 25;
export const DEFAULT_NOTIFICATIONS = 25;

interface Asker {
  readonly conn: string;
  readonly ref?: Ref;
}

const feedWrite = (feed: FeedWrite) => ({ kind: 'feed' as const, feed });
const reply = (to: Asker, frame: ServerFrame): Effect => send(to.conn, withRef(frame, to.ref));
const notFound = (path: string) => err('not_found', 'no such activity', path);

export const feeds = (inbound$: Observable<Inbound>, deps: FeedDeps, scheduler: SchedulerLike = asyncScheduler): Observable<Out> =>
  defer(() => {
    const { stored } = deps;
    const graph = new Graph(stored.follows, stored.blocks);
    const index = new ActivityIndex();
    const timelines = new Timelines(index, graph);
    const foreign = new ForeignIds();
    for (const a of stored.activities) {
      index.add(a.id, a.actor, a.visibility);
      if (a.foreignId !== undefined) foreign.set(a.id, a.actor, a.foreignId);
    }
    let lastId = stored.lastActivityId;
    /** Posts being committed, and the resends waiting for them. */
    const posting = new Map<number, Asker[]>();
    const cache = new ActivityCache(deps.cacheSize);
    const reactions = new Reactions(deps.reactionsLoaded);
    const inbox = new Inbox(stored.inbox);
    const listeners = new Listeners();

    const failed = (to: Asker) => (e: unknown) => of(replyError(to.conn, isProtocolError(e) ? e : unavailable, to.ref));

    const visibleTo = (user: string, id: number) => {
      const entry = index.get(id);
      return entry !== undefined && maySee(user, entry.actor, entry.visibility, graph.ties(user, entry.actor)) ? entry : undefined;
    };

    /** The activities of `ids` still visible to `user`, in that order: from the cache, the rest from the store. */
    const fetch = (user: string, ids: readonly number[]): Observable<Activity[]> => {
      const missing = ids.filter((id) => cache.get(id) === undefined);
      const read$ = missing.length === 0 ? of([]) : defer(() => (cache.reads(missing), deps.activities(missing))).pipe(map((found) => (cache.read(missing, found), found)));
      return read$.pipe(
        map((found) => {
          const byId = new Map(found.map((a) => [a.id, a]));
          return ids.flatMap((id) => {
            const a = cache.get(id) ?? byId.get(id);
            return a !== undefined && visibleTo(user, id) !== undefined ? [a] : [];
          });
        }),
      );
    };

    const pageFrame = (user: string, page: Page, to: Asker, frame: (activities: unknown[], next: string | null) => ServerFrame): Observable<Out> =>
      fetch(user, page.ids).pipe(
        map((found) => reply(to, frame(found.map(activityView), page.more ? formatId(page.ids[page.ids.length - 1]) : null))),
        catchError(failed(to)),
      );

    const activityFrame = (a: Activity) => ({ type: 'feed.activity', activity: activityView(a) });

    // --- posts

    const post = (conn: Conn, f: FrameOf<'feed.post'>): ObservableInput<Out> => {
      const to: Asker = { conn: conn.id, ref: f.ref };
      const original = f.foreign_id === undefined ? undefined : foreign.get(conn.user, f.foreign_id);
      if (original !== undefined) {
        const waiting = posting.get(original);
        if (waiting !== undefined) {
          waiting.push(to);
          return [];
        }
        return fetch(conn.user, [original]).pipe(
          map(([a]) => (a === undefined ? replyError(to.conn, unavailable, to.ref) : reply(to, { type: 'feed.posted', activity: activityView(a) }))),
          catchError(failed(to)),
        );
      }
      const body: ActivityBody = {
        id: ++lastId,
        actor: conn.user,
        verb: f.verb,
        object: f.object,
        ...(f.target === undefined ? {} : { target: f.target }),
        ...(f.text === undefined ? {} : { text: f.text }),
        visibility: f.visibility ?? 'followers',
        at: scheduler.now(),
        ...(f.foreign_id === undefined ? {} : { foreignId: f.foreign_id }),
      };
      if (body.foreignId !== undefined) foreign.set(body.id, body.actor, body.foreignId);
      posting.set(body.id, []);
      return [
        pending(feedWrite({ kind: 'post', activity: body }), (r) => {
          const askers = [to, ...(posting.get(body.id) ?? [])];
          posting.delete(body.id);
          if (isLeft(r)) {
            foreign.drop(body.id);
            return askers.map((a) => replyError(a.conn, r.left, a.ref));
          }
          index.add(body.id, body.actor, body.visibility);
          const activity: Activity = { ...body, reactions: {} };
          cache.put(activity);
          const frame = activityFrame(activity);
          return [
            ...askers.map((a) => reply(a, { type: 'feed.posted', activity: frame.activity })),
            ...tell(ownTopic(body.actor), frame),
            ...tell(audienceTopic(body.actor, audienceOf(body.visibility)), frame),
          ];
        }),
      ];
    };

    const remove = (conn: Conn, f: FrameOf<'feed.delete'>): Out[] => {
      const to: Asker = { conn: conn.id, ref: f.ref };
      const id = parseId(f.activity);
      const entry = visibleTo(conn.user, id);
      if (entry === undefined) return [replyError(to.conn, notFound('activity'), to.ref)];
      if (entry.actor !== conn.user) return [replyError(to.conn, err('forbidden', 'only its actor may delete an activity', 'activity'), to.ref)];
      // It leaves every read at once; it comes back if the deletion fails to commit.
      index.remove(id);
      cache.drop(id);
      return [
        pending(feedWrite({ kind: 'delete', id }), (r) => {
          if (isLeft(r)) {
            index.add(id, entry.actor, entry.visibility);
            return [replyError(to.conn, r.left, to.ref)];
          }
          foreign.drop(id);
          inbox.activityDeleted(entry.actor, id);
          const frame = { type: 'feed.removed', activity: formatId(id) };
          return [reply(to, { type: 'feed.deleted', activity: formatId(id) }), ...tell(ownTopic(entry.actor), frame), ...tell(audienceTopic(entry.actor, audienceOf(entry.visibility)), frame)];
        }),
      ];
    };

    // --- the graph

    /** A notification for `recipient`, decided now; its group is written with the change that caused it. */
    const notify = (recipient: string, verb: string, object: string, actor: string, activity?: number): GroupWrite & { settle: (ok: boolean) => Effect[] } => {
      const { group, newActor } = inbox.notify({ recipient, verb, object, actor, at: scheduler.now(), ...(activity === undefined ? {} : { activity }) });
      return {
        group,
        ...(newActor ? { newActor: actor } : {}),
        settle: (ok) => {
          inbox.settled(group, actor, newActor, ok);
          return ok ? tell(ownTopic(recipient), { type: 'feed.notification', group: groupView(group, false, false), ...inbox.counters(recipient) }) : [];
        },
      };
    };

    const follow = (conn: Conn, f: FrameOf<'feed.follow'>): Out[] => {
      const to: Asker = { conn: conn.id, ref: f.ref };
      const [me, them] = [conn.user, f.user];
      const followed = () => reply(to, { type: 'feed.followed', user: them, friends: graph.friends(me, them) });
      // Following again while an unfollow is being committed shows the user again at once.
      const shown = listeners.watch(graph, me, them);
      const change = graph.follow(me, them);
      if (isLeft(change)) return [replyError(to.conn, change.left, to.ref)];
      if (!change.right.changed) return [followed()];
      const notice = notify(them, 'follow', them, me);
      return [
        ...shown(),
        pending(feedWrite({ kind: 'follow', follower: me, followee: them, at: scheduler.now(), notice }), (r) => {
          // A follow shows the followed user's activities once committed, not before.
          const moved = listeners.watch(graph, me, them);
          graph.follows.settle(me, them, true, !isLeft(r));
          const told = notice.settle(!isLeft(r));
          return isLeft(r) ? [...moved(), replyError(to.conn, r.left, to.ref)] : [followed(), ...moved(), ...told];
        }),
      ];
    };

    // An unfollow or a block hides at once (the sockets leave the topics now) and is
    // committed after; if the commit fails, what it hid comes back.
    const unfollow = (conn: Conn, f: FrameOf<'feed.unfollow'>): Out[] => {
      const to: Asker = { conn: conn.id, ref: f.ref };
      const [me, them] = [conn.user, f.user];
      const done = { type: 'feed.unfollowed', user: them };
      const moved = listeners.watch(graph, me, them);
      if (!graph.unfollow(me, them).changed) return [reply(to, done)];
      return [
        ...moved(),
        pending(feedWrite({ kind: 'unfollow', pairs: [[me, them]] }), (r) => {
          const back = listeners.watch(graph, me, them);
          graph.follows.settle(me, them, false, !isLeft(r));
          return isLeft(r) ? [...back(), replyError(to.conn, r.left, to.ref)] : [reply(to, done)];
        }),
      ];
    };

    const block = (conn: Conn, f: FrameOf<'feed.block'>): Out[] => {
      const to: Asker = { conn: conn.id, ref: f.ref };
      const [me, them] = [conn.user, f.user];
      const moved = listeners.watch(graph, me, them);
      const change = graph.block(me, them);
      if (isLeft(change)) return [replyError(to.conn, change.left, to.ref)];
      if (!change.right.changed) return [reply(to, { type: 'feed.blocked', user: them })];
      const { unfollows } = change.right;
      const blocked = graph.blocks.intends(me, them);
      return [
        ...moved(),
        pending(feedWrite({ kind: 'block', blocker: me, blocked: them, at: scheduler.now(), unfollows }), (r) => {
          const back = listeners.watch(graph, me, them);
          for (const [a, b] of unfollows) graph.follows.settle(a, b, false, !isLeft(r));
          if (blocked) graph.blocks.settle(me, them, true, !isLeft(r));
          return isLeft(r) ? [...back(), replyError(to.conn, r.left, to.ref)] : [reply(to, { type: 'feed.blocked', user: them })];
        }),
      ];
    };

    const unblock = (conn: Conn, f: FrameOf<'feed.unblock'>): Out[] => {
      const to: Asker = { conn: conn.id, ref: f.ref };
      const done = { type: 'feed.unblocked', user: f.user };
      if (!graph.unblock(conn.user, f.user).changed) return [reply(to, done)];
      return [
        pending(feedWrite({ kind: 'unblock', blocker: conn.user, blocked: f.user }), (r) => {
          graph.blocks.settle(conn.user, f.user, false, !isLeft(r));
          return isLeft(r) ? [replyError(to.conn, r.left, to.ref)] : [reply(to, done)];
        }),
      ];
    };

    // --- reactions

    const react = (conn: Conn, f: FrameOf<'feed.react'> | FrameOf<'feed.unreact'>): ObservableInput<Out> => {
      const to: Asker = { conn: conn.id, ref: f.ref };
      const id = parseId(f.activity);
      const on = f.type === 'feed.react';
      const decide = (): Out[] => {
        // Asked again once the reactions are loaded: the activity may have gone meanwhile.
        const entry = visibleTo(conn.user, id);
        if (entry === undefined) return [replyError(to.conn, notFound('activity'), to.ref)];
        const done = (counts: Readonly<Record<string, number>>) => reply(to, { type: on ? 'feed.reacted' : 'feed.unreacted', activity: f.activity, kind: f.kind, reactions: counts });
        if (!reactions.decide(id, conn.user, f.kind, on)) return [done(reactions.counts(id))];
        const notice = on && entry.actor !== conn.user ? notify(entry.actor, f.kind, f.activity, conn.user, id) : undefined;
        const write: FeedWrite = on
          ? { kind: 'react', activity: id, user: conn.user, reaction: f.kind, ...(f.text === undefined ? {} : { text: f.text }), at: scheduler.now(), ...(notice === undefined ? {} : { notice }) }
          : { kind: 'unreact', activity: id, user: conn.user, reaction: f.kind };
        return [
          pending(feedWrite(write), (r: Either<ProtocolError, unknown>) => {
            reactions.settle(id, conn.user, f.kind, on, !isLeft(r));
            const told = notice?.settle(!isLeft(r)) ?? [];
            if (isLeft(r)) return [replyError(to.conn, r.left, to.ref)];
            const counts = reactions.counts(id);
            cache.counted(id, counts);
            return [done(counts), ...told];
          }),
        ];
      };
      if (visibleTo(conn.user, id) === undefined) return [replyError(to.conn, notFound('activity'), to.ref)];
      if (reactions.loaded(id)) return decide();
      return defer(() => deps.reactionsOf(id)).pipe(
        mergeMap((rows) => {
          reactions.load(id, rows);
          return decide();
        }),
        catchError(failed(to)),
      );
    };

    // --- notifications

    const notifications = (conn: Conn, f: FrameOf<'feed.notifications'>): Observable<Out> => {
      const to: Asker = { conn: conn.id, ref: f.ref };
      return defer(() => deps.notificationGroups(conn.user, f.limit ?? DEFAULT_NOTIFICATIONS)).pipe(
        map((groups) => reply(to, { type: 'feed.notifications', groups, ...inbox.counters(conn.user) })),
        catchError(failed(to)),
      );
    };

    const mark = (conn: Conn, f: FrameOf<'feed.mark'>): Out[] => {
      const to: Asker = { conn: conn.id, ref: f.ref };
      const seen = f.seen === true;
      const read = f.read === true ? true : Array.isArray(f.read) && f.read.length > 0 ? f.read.map(parseId) : undefined;
      if (!seen && read === undefined) return [reply(to, { type: 'feed.marked', ...inbox.counters(conn.user) })];
      return [
        pending(feedWrite({ kind: 'mark', user: conn.user, seen, ...(read === undefined ? {} : { read }) }), (r) =>
          isLeft(r) ? [replyError(to.conn, r.left, to.ref)] : [reply(to, { type: 'feed.marked', ...inbox.marked(conn.user, seen, read) })],
        ),
      ];
    };

    // --- live

    const subscribeFeed = (conn: Conn, f: FrameOf<'feed.subscribe'>): Effect[] => [
      ...(listeners.add(conn.id, conn.user) ? listeners.on(conn.id, listeners.topics(graph, conn.user)) : []),
      reply({ conn: conn.id, ref: f.ref }, { type: 'feed.subscribed' }),
    ];

    const unsubscribeFeed = (conn: Conn, f: FrameOf<'feed.unsubscribe'>): Effect[] => [
      ...(listeners.remove(conn.id) !== undefined ? listeners.off(conn.id, listeners.topics(graph, conn.user)) : []),
      reply({ conn: conn.id, ref: f.ref }, { type: 'feed.unsubscribed' }),
    ];

    /** To the sockets on `topic`, if there are any. */
    const tell = (topic: string, frame: ServerFrame): Effect[] => (listeners.hears(topic) ? [publish(topic, frame)] : []);

    const handle = (event: Inbound): ObservableInput<Out> => {
      const { conn } = event;
      // Feeds are decided by follows, blocks and visibility alone (PROTOCOL.md): a refreshed token changes nothing here.
      if (event.kind === 'open' || event.kind === 'access') return [];
      if (event.kind === 'close') {
        if (listeners.remove(conn.id) !== undefined) listeners.off(conn.id, listeners.topics(graph, conn.user), true);
        return [];
      }
      const f = event.frame;
      const to: Asker = { conn: conn.id, ref: f.ref };
      switch (f.type) {
        case 'feed.post':
          return post(conn, f);
        case 'feed.delete':
          return remove(conn, f);
        case 'feed.follow':
          return follow(conn, f);
        case 'feed.unfollow':
          return unfollow(conn, f);
        case 'feed.block':
          return block(conn, f);
        case 'feed.unblock':
          return unblock(conn, f);
        case 'feed.timeline':
          return pageFrame(conn.user, timelines.page(conn.user, pageQuery(f)), to, (activities, next) => ({ type: 'feed.timeline', activities, next }));
        case 'feed.user':
          return pageFrame(conn.user, userPage(index, graph, conn.user, f.user, pageQuery(f)), to, (activities, next) => ({ type: 'feed.user', user: f.user, activities, next }));
        case 'feed.subscribe':
          return subscribeFeed(conn, f);
        case 'feed.unsubscribe':
          return unsubscribeFeed(conn, f);
        case 'feed.react':
        case 'feed.unreact':
          return react(conn, f);
        case 'feed.notifications':
          return notifications(conn, f);
        case 'feed.mark':
          return mark(conn, f);
        default:
          return [];
      }
    };

    return inbound$.pipe(mergeMap(guarded(handle)));
  });

const pageQuery = (f: { before?: string; since?: string; limit?: number }) => ({
  ...(f.before === undefined ? {} : { before: parseId(f.before) }),
  ...(f.since === undefined ? {} : { since: parseId(f.since) }),
  limit: f.limit ?? DEFAULT_PAGE,
});
