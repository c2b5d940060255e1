// Activities as read, kept for the next reader: once there are twice `max`, the least
// recently used half goes (a copy every `max` puts: deleting a Map's oldest key one at a
// time costs a scan over every key deleted before it). Reaction counts change; a count
// that commits while an activity is being read from the store makes that read too old to keep.
import { Activity, Counts } from './activity';

export class ActivityCache {
  private entries = new Map<number, Activity>();
  /** Reads in flight per id, and ids whose counts changed meanwhile. */
  private readonly reading = new Map<number, number>();
  private readonly stale = new Set<number>();

  constructor(private readonly max: number) {}

  get(id: number): Activity | undefined {
    const a = this.entries.get(id);
    if (a !== undefined) {
      this.entries.delete(id);
      this.entries.set(id, a);
    }
    return a;
  }

  put(a: Activity): void {
    this.entries.delete(a.id);
    this.entries.set(a.id, a);
    if (this.entries.size > 2 * this.max) this.entries = new Map([...this.entries].slice(-this.max));
  }

  drop(id: number): void {
    this.entries.delete(id);
  }

  /** A reaction to `id` committed: these are its counts now. */
  counted(id: number, reactions: Counts): void {
    const a = this.entries.get(id);
    if (a !== undefined) this.entries.set(id, { ...a, reactions });
    if (this.reading.has(id)) this.stale.add(id);
  }

  /** A store read of `ids` begins. */
  reads(ids: readonly number[]): void {
    for (const id of ids) this.reading.set(id, (this.reading.get(id) ?? 0) + 1);
  }

  /** The read of `ids` returned `found`: kept unless a count changed meanwhile. */
  read(ids: readonly number[], found: readonly Activity[]): void {
    for (const a of found) if (!this.stale.has(a.id)) this.put(a);
    for (const id of ids) {
      const n = (this.reading.get(id) ?? 1) - 1;
      if (n > 0) this.reading.set(id, n);
      else {
        this.reading.delete(id);
        this.stale.delete(id);
      }
    }
  }
}
