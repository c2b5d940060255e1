// Every activity's id, actor and visibility, in memory, and the pages read from them:
// each actor's ids in three ascending lists (public; public and followers; all), so a
// timeline is a merge of one list per followed user — the list the reader's reach
// allows — newest first. Reading a page of n from F followed users costs about
// F binary searches and n heap steps, whatever the number of activities stored, and no
// row is written per follower when an activity is posted.
import { Visibility, VISIBILITIES } from './activity';
import { Reach } from './visibility';

interface Lists {
  readonly all: number[];
  readonly open: number[];
  readonly public: number[];
}

/** The lists an activity of this visibility belongs to. */
const listsFor: Readonly<Record<Visibility, readonly (keyof Lists)[]>> = {
  public: ['all', 'open', 'public'],
  followers: ['all', 'open'],
  friends: ['all'],
};

export interface Indexed {
  readonly actor: string;
  readonly visibility: Visibility;
}

export interface PageQuery {
  /** Only ids below this one (exclusive). */
  readonly before?: number;
  /** Only ids above this one (exclusive). */
  readonly since?: number;
  readonly limit: number;
}

export interface Page {
  /** Newest first. */
  readonly ids: readonly number[];
  /** Whether older ones remain after the last (within `since`). */
  readonly more: boolean;
}

/** The first index of `xs` (ascending) whose value is ≥ x. */
const lowerBound = (xs: readonly number[], x: number): number => {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

export class ActivityIndex {
  // Actors are interned: an entry is one number (actor × 4 + visibility), not an object.
  private readonly actors: string[] = [];
  private readonly actorNo = new Map<string, number>();
  private readonly entries = new Map<number, number>();
  private readonly lists = new Map<string, Lists>();

  get size(): number {
    return this.entries.size;
  }

  get(id: number): Indexed | undefined {
    const e = this.entries.get(id);
    return e === undefined ? undefined : { actor: this.actors[e >> 2], visibility: VISIBILITIES[e & 3] };
  }

  add(id: number, actor: string, visibility: Visibility): void {
    if (this.entries.has(id)) return;
    let no = this.actorNo.get(actor);
    if (no === undefined) {
      no = this.actors.push(actor) - 1;
      this.actorNo.set(actor, no);
    }
    this.entries.set(id, no * 4 + VISIBILITIES.indexOf(visibility));
    let lists = this.lists.get(actor);
    if (lists === undefined) this.lists.set(actor, (lists = { all: [], open: [], public: [] }));
    for (const name of listsFor[visibility]) {
      const xs = lists[name];
      // Ids come in ascending order, but for one put back after a failed delete.
      if (xs.length === 0 || xs[xs.length - 1] < id) xs.push(id);
      else xs.splice(lowerBound(xs, id), 0, id);
    }
  }

  remove(id: number): Indexed | undefined {
    const found = this.get(id);
    if (found === undefined) return undefined;
    this.entries.delete(id);
    const lists = this.lists.get(found.actor)!;
    for (const name of listsFor[found.visibility]) {
      const xs = lists[name];
      xs.splice(lowerBound(xs, id), 1);
    }
    return found;
  }

  /** The newest ids of the given actors, each within the reach given for it. */
  page(sources: Iterable<readonly [actor: string, reach: Reach]>, q: PageQuery): Page {
    const lists: (readonly number[])[] = [];
    for (const [actor, reach] of sources) {
      const xs = this.listOf(actor, reach);
      if (xs !== undefined) lists.push(xs);
    }
    return this.merge(lists, q);
  }

  /**
   * The ids of `actor`'s activities within `reach`, ascending: a list that stays the
   * same array as activities come and go, so it may be kept (see Timelines).
   */
  listOf(actor: string, reach: Reach): readonly number[] | undefined {
    if (reach === 'none') return undefined;
    let lists = this.lists.get(actor);
    if (lists === undefined) this.lists.set(actor, (lists = { all: [], open: [], public: [] }));
    return lists[reach];
  }

  /** The newest ids of the lists merged, within the query. */
  merge(sources: readonly (readonly number[])[], q: PageQuery): Page {
    const before = q.before ?? Infinity;
    const since = q.since ?? -Infinity;
    // A max-heap of cursors, one per list, each at its newest id still to take.
    const lists: (readonly number[])[] = [];
    const at: number[] = [];
    for (const xs of sources) {
      if (xs.length === 0) continue;
      const i = before === Infinity ? xs.length - 1 : lowerBound(xs, before) - 1;
      if (i >= 0 && xs[i] > since) {
        lists.push(xs);
        at.push(i);
      }
    }
    const value = (h: number) => lists[h][at[h]];
    const swap = (a: number, b: number) => {
      const l = lists[a];
      lists[a] = lists[b];
      lists[b] = l;
      const p = at[a];
      at[a] = at[b];
      at[b] = p;
    };
    const down = (from: number) => {
      for (let h = from; ; ) {
        const l = 2 * h + 1;
        const r = l + 1;
        let top = h;
        if (l < lists.length && value(l) > value(top)) top = l;
        if (r < lists.length && value(r) > value(top)) top = r;
        if (top === h) return;
        swap(h, top);
        h = top;
      }
    };
    for (let h = (lists.length >> 1) - 1; h >= 0; h--) down(h);
    const ids: number[] = [];
    while (ids.length < q.limit && lists.length > 0) {
      ids.push(value(0));
      at[0] -= 1;
      if (at[0] < 0 || value(0) <= since) {
        swap(0, lists.length - 1);
        lists.pop();
        at.pop();
      }
      down(0);
    }
    return { ids, more: lists.length > 0 };
  }
}
