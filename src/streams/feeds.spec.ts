import { TestScheduler } from 'rxjs/testing';
import { Observable, mergeMap, of } from 'rxjs';
import { Activity, formatId } from '../domain/feeds/activity';
import { ClientFrame } from '../domain/protocol';
import { commitStage } from './commit';
import { FakeStore, fakeStore } from './testing/fake-store';
import { Conn, Inbound, publish, replyError, send, subscribe, unavailable, unsubscribe } from './effects';
import { audienceTopic, ownTopic } from './feed-listeners';
import { FeedDeps, NO_FEEDS, feeds } from './feeds';
import { OPEN } from '../domain/authz';

const ann: Conn = { id: 'a1', user: 'ann', access: OPEN };
const bob: Conn = { id: 'b1', user: 'bob', access: OPEN };
const frame = (conn: Conn, f: ClientFrame): Inbound => ({ kind: 'frame', conn, frame: f });
const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));


const run = (ts: TestScheduler, inbound: Observable<Inbound>, store: FakeStore, deps: Partial<FeedDeps> = {}) =>
  feeds(inbound, { stored: NO_FEEDS, activities: () => of([]), reactionsOf: () => of([]), notificationGroups: () => of([]), cacheSize: 100, reactionsLoaded: 10, ...deps }, ts).pipe(
    commitStage(store.write, { maxSize: 100, maxDelayMs: 0 }, ts),
    mergeMap((effects) => effects),
  );

const activity = (id: number, actor: string, at: number, extra: Record<string, unknown> = {}) => ({
  id: formatId(id),
  actor,
  verb: 'post',
  object: 'x',
  visibility: 'followers',
  at,
  reactions: {},
  ...extra,
});

describe('feeds pipeline', () => {
  it('acks a post after its commit, then tells the actor and the followers with one publish each', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 2 });
      const inbound = hot('(st)-a', {
        s: frame(ann, { type: 'feed.subscribe' }),
        t: frame(bob, { type: 'feed.subscribe' }),
        a: frame(ann, { type: 'feed.post', ref: 1, verb: 'post', object: 'x' }),
      });
      const a = activity(1, 'ann', 5);
      const deps = { stored: { ...NO_FEEDS, follows: [['bob', 'ann'] as const] } };
      expectObservable(run(ts, inbound, store, deps)).toBe('(abcde)(xyz)', {
        a: subscribe('a1', ownTopic('ann')),
        b: send('a1', { type: 'feed.subscribed' }),
        c: subscribe('b1', ownTopic('bob')),
        d: subscribe('b1', audienceTopic('ann', 'followers')),
        e: send('b1', { type: 'feed.subscribed' }),
        x: send('a1', { type: 'feed.posted', ref: 1, activity: a }),
        y: publish(ownTopic('ann'), { type: 'feed.activity', activity: a }),
        z: publish(audienceTopic('ann', 'followers'), { type: 'feed.activity', activity: a }),
      });
    });
  });

  it('publishes nothing to a topic no socket is on', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 1 });
      const inbound = hot('-a', { a: frame(ann, { type: 'feed.post', ref: 1, verb: 'post', object: 'x' }) });
      expectObservable(run(ts, inbound, store)).toBe('--x', { x: send('a1', { type: 'feed.posted', ref: 1, activity: activity(1, 'ann', 1) }) });
    });
  });

  it('on a failed commit answers unavailable, tells no one, and frees the foreign_id', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { failing: new Set([1]) });
      const post = (ref: number) => frame(ann, { type: 'feed.post', ref, verb: 'post', object: 'x', foreign_id: 'f' });
      const inbound = hot('-a---b---c', { a: post(1), b: frame(ann, { type: 'feed.timeline', ref: 2 }), c: post(3) });
      expectObservable(run(ts, inbound, store)).toBe('--x--y----p', {
        x: replyError('a1', unavailable, 1),
        y: send('a1', { type: 'feed.timeline', ref: 2, activities: [], next: null }),
        p: send('a1', { type: 'feed.posted', ref: 3, activity: activity(2, 'ann', 9, { foreign_id: 'f' }) }),
      });
    });
  });

  it('subscribes a follower to the followed user only once the follow commits, and unsubscribes at once on unfollow', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 3 });
      const inbound = hot('-(ts) f 16ms u', {
        t: frame(ann, { type: 'feed.subscribe' }),
        s: frame(bob, { type: 'feed.subscribe', ref: 1 }),
        f: frame(bob, { type: 'feed.follow', ref: 2, user: 'ann' }),
        u: frame(bob, { type: 'feed.unfollow', ref: 3, user: 'ann' }),
      });
      expectObservable(run(ts, inbound, store)).toBe('-(ABab) 1ms (cde) 9ms f 2ms g', {
        A: subscribe('a1', ownTopic('ann')),
        B: send('a1', { type: 'feed.subscribed' }),
        a: subscribe('b1', ownTopic('bob')),
        b: send('b1', { type: 'feed.subscribed', ref: 1 }),
        c: send('b1', { type: 'feed.followed', ref: 2, user: 'ann', friends: false }),
        d: subscribe('b1', audienceTopic('ann', 'followers')),
        e: publish(ownTopic('ann'), {
          type: 'feed.notification',
          group: { id: formatId(1), verb: 'follow', object: 'ann', actors: ['bob'], actor_count: 1, count: 1, updated_at: 5, seen: false, read: false },
          unseen: 1,
          unread: 1,
        }),
        f: unsubscribe('b1', audienceTopic('ann', 'followers')),
        g: send('b1', { type: 'feed.unfollowed', ref: 3, user: 'ann' }),
      });
    });
  });

  it('reads a page from the store once, then from the cache; an unfollow hides it before its commit', () => {
    const ts = newScheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 3 });
      const stored: Activity = { id: 7, actor: 'ann', verb: 'post', object: 'x', visibility: 'followers', at: 0, reactions: { like: 2 } };
      const reads: number[][] = [];
      const deps: Partial<FeedDeps> = {
        stored: { ...NO_FEEDS, activities: [{ id: 7, actor: 'ann', visibility: 'followers' }], lastActivityId: 7, follows: [['bob', 'ann']] },
        activities: (ids) => (reads.push([...ids]), cold('--(x|)', { x: [stored] })),
      };
      const timeline = (ref: number) => frame(bob, { type: 'feed.timeline', ref });
      const inbound = hot('-a---b-u-c', { a: timeline(1), b: timeline(2), u: frame(bob, { type: 'feed.unfollow', ref: 3, user: 'ann' }), c: timeline(4) });
      const page = { activities: [activity(7, 'ann', 0, { reactions: { like: 2 } })], next: null };
      expectObservable(run(ts, inbound, store, deps)).toBe('---x-y---zu', {
        x: send('b1', { type: 'feed.timeline', ref: 1, ...page }),
        y: send('b1', { type: 'feed.timeline', ref: 2, ...page }),
        z: send('b1', { type: 'feed.timeline', ref: 4, activities: [], next: null }),
        u: send('b1', { type: 'feed.unfollowed', ref: 3, user: 'ann' }),
      });
      ts.flush();
      expect(reads).toEqual([[7]]);
    });
  });

  it("loads an activity's reactions once, counts a reaction once, and refuses an activity the user may not see", () => {
    const ts = newScheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const store = fakeStore(ts, { commitFrames: 1 });
      const loads: number[] = [];
      const deps: Partial<FeedDeps> = {
        stored: { ...NO_FEEDS, activities: [{ id: 7, actor: 'ann', visibility: 'friends' }], lastActivityId: 7, follows: [['bob', 'ann'], ['ann', 'bob']] },
        reactionsOf: (id) => (loads.push(id), cold('-(x|)', { x: [{ user: 'cid', kind: 'like' }] })),
      };
      const like = (conn: Conn, ref: number) => frame(conn, { type: 'feed.react', ref, activity: formatId(7), kind: 'like' });
      const inbound = hot('-a------b-c', { a: like(bob, 1), b: like(bob, 2), c: like({ id: 'c1', user: 'cid', access: OPEN }, 3) });
      expectObservable(run(ts, inbound, store, deps)).toBe('---x----b-c', {
        x: send('b1', { type: 'feed.reacted', ref: 1, activity: formatId(7), kind: 'like', reactions: { like: 2 } }),
        b: send('b1', { type: 'feed.reacted', ref: 2, activity: formatId(7), kind: 'like', reactions: { like: 2 } }),
        c: replyError('c1', { code: 'not_found', message: 'no such activity', path: 'activity' }, 3),
      });
      ts.flush();
      expect(loads).toEqual([7]);
    });
  });
});
