// Each actor's foreign_ids (the client's idempotency keys) and the activity each names:
// posting again with a key answers with that activity. A key names an activity from its
// post being decided until the activity is deleted (or its post fails).
const keyOf = (actor: string, foreignId: string) => `${actor}\n${foreignId}`;

export class ForeignIds {
  private readonly byKey = new Map<string, number>();
  private readonly ofId = new Map<number, string>();

  get(actor: string, foreignId: string): number | undefined {
    return this.byKey.get(keyOf(actor, foreignId));
  }

  set(id: number, actor: string, foreignId: string): void {
    const key = keyOf(actor, foreignId);
    this.byKey.set(key, id);
    this.ofId.set(id, key);
  }

  /** The activity is gone: its key may name another. */
  drop(id: number): void {
    const key = this.ofId.get(id);
    if (key === undefined) return;
    this.byKey.delete(key);
    this.ofId.delete(id);
  }
}
