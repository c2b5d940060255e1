// The index and the pages read from it, against a brute-force model: random follows,
// blocks, posts, deletes; every viewer's timeline (and every user feed) equals the
// model's filter of all activities, newest first, whatever the paging.
import fc from 'fast-check';
import { Visibility } from './activity';
import { Graph } from './graph';
import { Timelines, timelinePage, userPage } from './pages';
import { ActivityIndex } from './timeline';
import { isRight } from 'fp-ts/Either';

const USERS = ['ann', 'bob', 'cid', 'dee', 'eve'];

type Op =
  | { k: 'follow' | 'unfollow' | 'block' | 'unblock'; a: number; b: number }
  | { k: 'post'; a: number; v: Visibility }
  | { k: 'delete'; n: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constantFrom('follow' as const, 'unfollow' as const, 'block' as const, 'unblock' as const), a: fc.nat(4), b: fc.nat(4) }),
  fc.record({ k: fc.constant('post' as const), a: fc.nat(4), v: fc.constantFrom<Visibility>('public', 'followers', 'friends') }),
  fc.record({ k: fc.constant('delete' as const), n: fc.nat(50) }),
);

/** The protocol's rules, written as plainly as possible. */
class Model {
  follows = new Set<string>();
  blocks = new Set<string>();
  activities: { id: number; actor: string; visibility: Visibility }[] = [];

  follow(a: string, b: string) {
    if (a !== b && !this.blocks.has(`${a}>${b}`) && !this.blocks.has(`${b}>${a}`)) this.follows.add(`${a}>${b}`);
  }
  block(a: string, b: string) {
    if (a === b) return;
    this.blocks.add(`${a}>${b}`);
    this.follows.delete(`${a}>${b}`);
    this.follows.delete(`${b}>${a}`);
  }
  maySee(viewer: string, a: { actor: string; visibility: Visibility }) {
    if (viewer === a.actor) return true;
    if (this.blocks.has(`${viewer}>${a.actor}`) || this.blocks.has(`${a.actor}>${viewer}`)) return false;
    const follows = this.follows.has(`${viewer}>${a.actor}`);
    if (a.visibility === 'public') return true;
    if (a.visibility === 'followers') return follows;
    return follows && this.follows.has(`${a.actor}>${viewer}`);
  }
  timeline(viewer: string) {
    return this.activities
      .filter((a) => (a.actor === viewer || this.follows.has(`${viewer}>${a.actor}`)) && this.maySee(viewer, a))
      .map((a) => a.id)
      .sort((x, y) => y - x);
  }
  feed(viewer: string, actor: string) {
    return this.activities.filter((a) => a.actor === actor && this.maySee(viewer, a)).map((a) => a.id).sort((x, y) => y - x);
  }
}

/** Every page, following `next`, concatenated. */
const allPages = (read: (before: number | undefined) => { ids: readonly number[]; more: boolean }) => {
  const out: number[] = [];
  let before: number | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const p = read(before);
    out.push(...p.ids);
    if (!p.more) return out;
    before = p.ids[p.ids.length - 1];
  }
  throw new Error('paging did not end');
};

describe('timelines and user feeds', () => {
  it('equal the brute-force model for every viewer after any sequence of follows, blocks, posts and deletes', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), fc.integer({ min: 1, max: 7 }), fc.nat(60), (ops, limit, sinceAt) => {
        const graph = new Graph();
        const index = new ActivityIndex();
        // Kept lists across the whole sequence: each check below must see every change before it.
        const timelines = new Timelines(index, graph);
        const model = new Model();
        let nextId = 0;
        const commit = (rel: 'follows' | 'blocks', a: string, b: string, to: boolean) => {
          if (graph[rel].intends(a, b) !== to) return;
          graph[rel].settle(a, b, to, true);
        };
        for (const op of ops) {
          for (const viewer of USERS) expect(timelines.page(viewer, { limit: 100 }).ids).toEqual(model.timeline(viewer));
          if (op.k === 'post') {
            const id = ++nextId;
            index.add(id, USERS[op.a], op.v);
            model.activities.push({ id, actor: USERS[op.a], visibility: op.v });
          } else if (op.k === 'delete') {
            const i = op.n % Math.max(1, model.activities.length);
            const gone = model.activities[i];
            if (gone) {
              index.remove(gone.id);
              model.activities.splice(i, 1);
            }
          } else {
            const [a, b] = [USERS[op.a], USERS[op.b]];
            if (op.k === 'follow') {
              const c = graph.follow(a, b);
              if (isRight(c) && c.right.changed) commit('follows', a, b, true);
              model.follow(a, b);
            } else if (op.k === 'unfollow') {
              if (graph.unfollow(a, b).changed) commit('follows', a, b, false);
              model.follows.delete(`${a}>${b}`);
            } else if (op.k === 'block') {
              const c = graph.block(a, b);
              if (isRight(c)) {
                for (const [x, y] of c.right.unfollows) commit('follows', x, y, false);
                commit('blocks', a, b, true);
              }
              model.block(a, b);
            } else {
              if (graph.unblock(a, b).changed) commit('blocks', a, b, false);
              model.blocks.delete(`${a}>${b}`);
            }
          }
        }
        for (const viewer of USERS) {
          const expected = model.timeline(viewer);
          expect(allPages((before) => timelinePage(index, graph, viewer, { before, limit }))).toEqual(expected);
          expect(allPages((before) => timelines.page(viewer, { before, limit }))).toEqual(expected);
          const since = sinceAt % (nextId + 1);
          expect(timelinePage(index, graph, viewer, { since, limit: 100 }).ids).toEqual(expected.filter((id) => id > since));
          for (const actor of USERS) {
            expect(allPages((before) => userPage(index, graph, viewer, actor, { before, limit }))).toEqual(model.feed(viewer, actor));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reads a page of 25 from 1,000 followed users', () => {
    const graph = new Graph();
    const index = new ActivityIndex();
    let id = 0;
    for (let round = 0; round < 20; round++) for (let u = 0; u < 1000; u++) index.add(++id, `u${u}`, u % 3 === 0 ? 'friends' : 'followers');
    for (let u = 0; u < 1000; u++) {
      graph.follow('me', `u${u}`);
      graph.follows.settle('me', `u${u}`, true, true);
    }
    const page = timelinePage(index, graph, 'me', { limit: 25 });
    // friends-only activities of users who do not follow back are left out.
    const expected = Array.from({ length: 40 }, (_, i) => id - i).filter((x) => ((x - 1) % 1000) % 3 !== 0).slice(0, 25);
    expect(page).toEqual({ ids: expected, more: true });
  });
});
