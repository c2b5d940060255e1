// Who owns what, by id, and how much each user owns: the limits count per user. Used for
// devices (the first user who reports one owns it) and for fences (the creator).

export class Owners {
  private readonly owners = new Map<string, string>();
  private readonly counts = new Map<string, number>();

  get(id: string): string | undefined {
    return this.owners.get(id);
  }

  countOf(user: string): number {
    return this.counts.get(user) ?? 0;
  }

  set(id: string, owner: string): void {
    this.delete(id);
    this.owners.set(id, owner);
    this.counts.set(owner, this.countOf(owner) + 1);
  }

  delete(id: string): void {
    const owner = this.owners.get(id);
    if (owner === undefined) return;
    this.owners.delete(id);
    const n = this.countOf(owner) - 1;
    if (n > 0) this.counts.set(owner, n);
    else this.counts.delete(owner);
  }
}
