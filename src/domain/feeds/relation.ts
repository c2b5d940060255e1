// A relation between users (follows, blocks): what the store holds, and what has been
// decided since and is still being committed. Readers see the safer of the two: an edge
// that grants something (a follow) counts once it is both committed and still intended;
// an edge that takes something away (a block) counts as soon as either holds. So a
// follow shows nothing before its commit, an unfollow hides at once, and a write that
// fails leaves readers where the store is.

interface Pending {
  committed: boolean;
  latest: boolean;
  /** Decisions not yet settled. */
  n: number;
}

export class Relation {
  /** The edges readers see, by their source. */
  private readonly out = new Map<string, Set<string>>();
  /** Edges with decisions in flight; every other edge is committed and intended alike. */
  private readonly pending = new Map<string, Pending>();

  /**
   * `grants`: an edge counts when committed AND intended; otherwise when committed OR
   * intended. `changed` hears of every edge that starts or stops counting.
   */
  constructor(
    private readonly grants: boolean,
    stored: Iterable<readonly [string, string]> = [],
    private readonly changed: (a: string, b: string) => void = () => {},
  ) {
    for (const [a, b] of stored) this.link(a, b, true);
  }

  /** Does a → b count for readers now? */
  has(a: string, b: string): boolean {
    return this.out.get(a)?.has(b) ?? false;
  }

  /** The targets of a's edges that count now. */
  of(a: string): ReadonlySet<string> {
    return this.out.get(a) ?? EMPTY;
  }

  /** What was last decided for a → b, committed or not: what the next decision builds on. */
  intends(a: string, b: string): boolean {
    return this.pending.get(key(a, b))?.latest ?? this.has(a, b);
  }

  /** Decides a → b to be `to`. False when that is already the decision: nothing to write. */
  decide(a: string, b: string, to: boolean): boolean {
    const k = key(a, b);
    let p = this.pending.get(k);
    if ((p?.latest ?? this.has(a, b)) === to) return false;
    if (p === undefined) {
      const now = this.has(a, b);
      this.pending.set(k, (p = { committed: now, latest: now, n: 0 }));
    }
    p.latest = to;
    p.n += 1;
    this.show(a, b, p);
    return true;
  }

  /**
   * A decision's write committed (`ok`) or failed. A failure also fails every write
   * queued behind it, so what was intended falls back to what is stored.
   */
  settle(a: string, b: string, to: boolean, ok: boolean): void {
    const k = key(a, b);
    const p = this.pending.get(k);
    if (p === undefined) return;
    if (ok) p.committed = to;
    else p.latest = p.committed;
    p.n -= 1;
    this.show(a, b, p);
    if (p.n <= 0) this.pending.delete(k);
  }

  /** Lets go of a's edges, for a source with no decision in flight (see Reactions). */
  forget(a: string): void {
    this.out.delete(a);
  }

  private show(a: string, b: string, p: Pending): void {
    const on = this.grants ? p.committed && p.latest : p.committed || p.latest;
    if (on === this.has(a, b)) return;
    this.link(a, b, on);
    this.changed(a, b);
  }

  private link(a: string, b: string, on: boolean): void {
    let targets = this.out.get(a);
    if (on) {
      if (targets === undefined) this.out.set(a, (targets = new Set()));
      targets.add(b);
    } else if (targets?.delete(b) && targets.size === 0) this.out.delete(a);
  }
}

const EMPTY: ReadonlySet<string> = new Set();
const key = (a: string, b: string) => `${a}\n${b}`;
