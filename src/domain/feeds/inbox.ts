// Each user's notification groups as far as the pipeline decides them: today's groups
// (the only ones a new notification can join), with every actor each has had, and
// which groups are unseen and unread. Groups change when a notification is decided and
// are put back if its write fails; unseen and unread change only when a write commits,
// so the counts a user is told are the store's.
import { Group, Notification, dayOf, joinGroup } from './aggregation';

interface Open {
  group: Group;
  /** As last committed; none while the group has never been. */
  committed?: Group;
  readonly actors: Set<string>;
}

export interface StoredGroup {
  readonly group: Group;
  /** Every distinct actor the group has had. */
  readonly actors: readonly string[];
}

/** A group that is unseen or unread, as stored. */
export interface StoredMark {
  readonly recipient: string;
  readonly id: number;
  readonly activity?: number;
  readonly seen: boolean;
  readonly read: boolean;
}

export interface StoredInbox {
  /** Today's groups (older ones may be given too; they are let go). */
  readonly groups: Iterable<StoredGroup>;
  readonly marks: Iterable<StoredMark>;
  readonly lastId: number;
}

export interface Counters {
  readonly unseen: number;
  readonly unread: number;
}

const keyOf = (recipient: string, verb: string, object: string, day: number) => `${recipient}\n${verb}\n${object}\n${day}`;

/** Group id → the activity it is about (0 for none), per user. */
type Marks = Map<string, Map<number, number>>;

const add = (marks: Marks, user: string, id: number, activity: number) => {
  let mine = marks.get(user);
  if (mine === undefined) marks.set(user, (mine = new Map()));
  mine.set(id, activity);
};

export class Inbox {
  private readonly open = new Map<string, Open>();
  private readonly unseen: Marks = new Map();
  private readonly unread: Marks = new Map();
  private lastId: number;
  private today = -Infinity;

  constructor(stored: StoredInbox = { groups: [], marks: [], lastId: 0 }) {
    this.lastId = stored.lastId;
    for (const { group, actors } of stored.groups) {
      this.open.set(keyOf(group.recipient, group.verb, group.object, group.day), { group, committed: group, actors: new Set(actors) });
    }
    for (const m of stored.marks) {
      if (!m.seen) add(this.unseen, m.recipient, m.id, m.activity ?? 0);
      if (!m.read) add(this.unread, m.recipient, m.id, m.activity ?? 0);
    }
  }

  /** The group notification `n` makes or grows, and whether its actor is new to it. */
  notify(n: Notification): { readonly group: Group; readonly newActor: boolean } {
    this.forgetBefore(dayOf(n.at));
    const key = keyOf(n.recipient, n.verb, n.object, dayOf(n.at));
    const o = this.open.get(key);
    const known = o?.actors.has(n.actor) ?? false;
    const group = joinGroup(o?.group, n, known, o === undefined ? ++this.lastId : o.group.id);
    if (o === undefined) this.open.set(key, { group, actors: new Set([n.actor]) });
    else {
      o.group = group;
      o.actors.add(n.actor);
    }
    return { group, newActor: !known };
  }

  /** The write of `group` (as `notify` made it, for `actor`) committed, or failed. */
  settled(group: Group, actor: string, newActor: boolean, ok: boolean): void {
    const key = keyOf(group.recipient, group.verb, group.object, group.day);
    const o = this.open.get(key);
    if (ok) {
      if (o !== undefined && (o.committed === undefined || o.committed.count < group.count)) o.committed = group;
      add(this.unseen, group.recipient, group.id, group.activity ?? 0);
      add(this.unread, group.recipient, group.id, group.activity ?? 0);
      return;
    }
    if (o === undefined) return;
    if (newActor) o.actors.delete(actor);
    if (o.committed === undefined) this.open.delete(key);
    else o.group = o.committed;
  }

  counters(user: string): Counters {
    return { unseen: this.unseen.get(user)?.size ?? 0, unread: this.unread.get(user)?.size ?? 0 };
  }

  /** A mark committed. Reading a group also sees it. */
  marked(user: string, seen: boolean, read: true | readonly number[] | undefined): Counters {
    if (seen || read === true) this.unseen.delete(user);
    if (read === true) this.unread.delete(user);
    else if (read !== undefined) {
      for (const id of read) {
        this.unseen.get(user)?.delete(id);
        this.unread.get(user)?.delete(id);
      }
    }
    return this.counters(user);
  }

  /** An activity's deletion committed: its groups (all of its actor's) are gone. */
  activityDeleted(actor: string, activity: number): Counters {
    for (const marks of [this.unseen.get(actor), this.unread.get(actor)]) {
      for (const [id, about] of marks ?? []) if (about === activity) marks!.delete(id);
    }
    return this.counters(actor);
  }

  /** Groups of earlier days can no longer grow. */
  private forgetBefore(day: number): void {
    if (day <= this.today) return;
    this.today = day;
    for (const [key, o] of this.open) if (o.group.day < day) this.open.delete(key);
  }
}
