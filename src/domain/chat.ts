// Chat rules: gap-free seq per room, idempotent resends, and who is present where.
export interface Message {
  readonly room: string;
  readonly seq: number;
  readonly user: string;
  readonly text: string;
  readonly at: number;
  readonly id: string;
}

/** `room.joined` without `since` carries the last 50 messages. */
export const JOIN_HISTORY = 50;
/** `room.joined` with `since` carries at most this many (the newest: they meet the live stream). */
export const SINCE_HISTORY = 1000;
export const DEFAULT_HISTORY_LIMIT = 50;

export type Admission =
  | { readonly kind: 'new'; readonly message: Message }
  | { readonly kind: 'duplicate'; readonly seq: number; readonly at: number; readonly committed: boolean };

/** What a resend is answered with: the original's seq and time. */
export interface Original {
  readonly seq: number;
  readonly at: number;
}

/**
 * A room's order: `seq` is the last one given out, `committed` the last one stored.
 * Resends are recognised while their id is among the last `window` ids of the room, or
 * a little longer
 * (ids are kept in memory; the window covers reconnect-and-retry, not archaeology).
 */
export class RoomLog {
  private ids = new Map<string, Original>();

  constructor(
    readonly room: string,
    private seq: number,
    private readonly window: number,
    recent: Iterable<readonly [string, Original]> = [],
  ) {
    this.committedSeq = seq;
    for (const [id, s] of recent) this.ids.set(id, s);
  }

  committedSeq: number;

  get lastSeq(): number {
    return this.seq;
  }

  admit(user: string, text: string, id: string, at: number): Admission {
    const known = this.ids.get(id);
    if (known !== undefined) return { kind: 'duplicate', ...known, committed: known.seq <= this.committedSeq };
    this.seq += 1;
    this.ids.set(id, { seq: this.seq, at });
    // Forget all but the newest `window` ids once there are twice as many: a copy every
    // `window` messages. (Deleting a Map's first key one at a time costs a scan over
    // every entry deleted before it.)
    if (this.ids.size > 2 * this.window) this.ids = new Map([...this.ids].slice(-this.window));
    return { kind: 'new', message: { room: this.room, seq: this.seq, user, text, at, id } };
  }

  committed(seq: number): void {
    if (seq > this.committedSeq) this.committedSeq = seq;
  }

  /** The store refused what was given out after `committedSeq`: take it back. */
  rollback(message: Message): void {
    if (this.ids.get(message.id)?.seq === message.seq) this.ids.delete(message.id);
    this.seq = this.committedSeq;
  }
}

/** Members of rooms, counted per user: a user with two sockets in a room is one member. */
export class Presence {
  private readonly rooms = new Map<string, Map<string, Set<string>>>();
  private readonly joined = new Map<string, Set<string>>();

  roomsOf(conn: string): string[] {
    return [...(this.joined.get(conn) ?? [])];
  }

  /** How many rooms the socket is in. */
  roomCount(conn: string): number {
    return this.joined.get(conn)?.size ?? 0;
  }

  members(room: string): string[] {
    return [...(this.rooms.get(room)?.keys() ?? [])];
  }

  has(room: string, conn: string, user: string): boolean {
    return this.rooms.get(room)?.get(user)?.has(conn) ?? false;
  }

  /** True when this is the user's first socket in the room. */
  join(room: string, user: string, conn: string): boolean {
    let users = this.rooms.get(room);
    if (!users) this.rooms.set(room, (users = new Map()));
    let conns = users.get(user);
    const first = !conns;
    if (!conns) users.set(user, (conns = new Set()));
    conns.add(conn);
    let rooms = this.joined.get(conn);
    if (!rooms) this.joined.set(conn, (rooms = new Set()));
    rooms.add(room);
    return first;
  }

  /** True when this was the user's last socket in the room. */
  leave(room: string, user: string, conn: string): boolean {
    const users = this.rooms.get(room);
    const conns = users?.get(user);
    if (!users || !conns?.delete(conn)) return false;
    const rooms = this.joined.get(conn);
    rooms?.delete(room);
    if (rooms?.size === 0) this.joined.delete(conn);
    if (conns.size > 0) return false;
    users.delete(user);
    if (users.size === 0) this.rooms.delete(room);
    return true;
  }
}
