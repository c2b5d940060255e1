// Who reacted how to an activity, for the activities being reacted to: loaded from the
// store on an activity's first reaction, kept while it is in use, let go (the least
// recently used first, never one with a write in flight) beyond `maxLoaded`. One
// reaction of a kind per user per activity; the counts are the committed reactions.
import { Counts } from './activity';
import { Relation } from './relation';

export interface StoredReaction {
  readonly user: string;
  readonly kind: string;
}

const keyOf = (activity: number, kind: string) => `${activity}\n${kind}`;

export class Reactions {
  /** `activity\nkind` → user */
  private readonly who = new Relation(true);
  /** Loaded activities, the least recently used first, and the kinds each has had. */
  private readonly kinds = new Map<number, Set<string>>();
  /** Decisions in flight per activity. */
  private readonly busy = new Map<number, number>();

  constructor(private readonly maxLoaded: number) {}

  loaded(activity: number): boolean {
    const kinds = this.kinds.get(activity);
    if (kinds === undefined) return false;
    this.kinds.delete(activity);
    this.kinds.set(activity, kinds);
    return true;
  }

  /** The reactions as stored; ignored when the activity is loaded already (and may have changed since that read began). */
  load(activity: number, stored: readonly StoredReaction[]): void {
    if (this.kinds.has(activity)) return;
    const kinds = new Set<string>();
    for (const r of stored) {
      kinds.add(r.kind);
      this.who.decide(keyOf(activity, r.kind), r.user, true);
      this.who.settle(keyOf(activity, r.kind), r.user, true, true);
    }
    this.kinds.set(activity, kinds);
    this.evict();
  }

  /** Decides `user`'s `kind` reaction to be there or not. False when it already is so. */
  decide(activity: number, user: string, kind: string, on: boolean): boolean {
    if (!this.who.decide(keyOf(activity, kind), user, on)) return false;
    this.kinds.get(activity)?.add(kind);
    this.busy.set(activity, (this.busy.get(activity) ?? 0) + 1);
    return true;
  }

  settle(activity: number, user: string, kind: string, on: boolean, ok: boolean): void {
    this.who.settle(keyOf(activity, kind), user, on, ok);
    const n = (this.busy.get(activity) ?? 1) - 1;
    if (n > 0) this.busy.set(activity, n);
    else this.busy.delete(activity);
  }

  counts(activity: number): Counts {
    const out: Record<string, number> = {};
    for (const kind of this.kinds.get(activity) ?? []) {
      const n = this.who.of(keyOf(activity, kind)).size;
      if (n > 0) out[kind] = n;
    }
    return out;
  }

  private evict(): void {
    if (this.kinds.size <= this.maxLoaded) return;
    for (const [activity, kinds] of this.kinds) {
      if (this.kinds.size <= this.maxLoaded) return;
      if (this.busy.has(activity)) continue;
      for (const kind of kinds) this.who.forget(keyOf(activity, kind));
      this.kinds.delete(activity);
    }
  }
}
