// The OT rules every party shares: the server's tie rule and the client state machine.
// Only quill-delta is imported here, so the browser client bundles this file as is.
import Delta from 'quill-delta';

// The one tie rule, server and client alike: the op committed earlier wins ties (its
// insert at the same index goes first). A client holding a pending op P (in flight or
// buffered) that receives a committed op C keeps
//   P' = transformAgainst(C, P)   what the server does to P when it arrives, and applies
//   C' = transformIncoming(P, C)  C moved past P, to its own content.

/** `op`, made beside the earlier-committed `committed`, rebased to apply after it. */
export const transformAgainst = (committed: Delta, op: Delta): Delta => committed.transform(op, true);

/** A committed op received by a client, rebased over the client's own pending op. */
export const transformIncoming = (pending: Delta, committed: Delta): Delta => pending.transform(committed, false);

/** A `doc.op` to send: `op` made on server version `version`, with the client's `id` for it. */
export interface Submission {
  readonly version: number;
  readonly op: Delta;
  readonly id: string;
}

/** What the server said about the document: `doc.ack`, or a `doc.op` (live or replayed). */
export type FromServer =
  | { readonly kind: 'ack'; readonly version: number }
  | { readonly kind: 'op'; readonly version: number; readonly op: Delta; readonly id?: string };

export interface Received {
  /** The change to make to what the user sees (someone else's op, rebased over ours). */
  readonly applied?: Delta;
  /** The next op to send. */
  readonly send?: Submission;
}

/**
 * The client side of a document (PROTOCOL.md, doc.*): at most one op in flight, later
 * edits composed into one buffered op, every incoming op rebased over both. Methods
 * return what to send next; `content` is what the user sees.
 *
 * Reconnecting: call `offline()` when the socket drops, reopen the doc with `version`,
 * feed the replayed ops to `receive` (the op in flight, if the server committed it,
 * comes back with its id and counts as its ack), then `online()` resends what is left.
 */
export class DocClient {
  private inflight: { op: Delta; id: string } | null = null;
  private buffer: Delta | null = null;
  private connected = true;

  constructor(
    /** The last server version this client has seen (acked or received). */
    public version: number,
    public content: Delta,
    private readonly newId: () => string,
  ) {}

  /** Edits the server has not acked yet. */
  get pending(): boolean {
    return this.inflight !== null || this.buffer !== null;
  }

  /** The user changed the document. */
  edit(change: Delta): Submission | undefined {
    this.content = this.content.compose(change);
    this.buffer = this.buffer === null ? change : this.buffer.compose(change);
    return this.next();
  }

  receive(m: FromServer): Received {
    this.version = Math.max(this.version, m.version);
    if (m.kind === 'ack' || (this.inflight !== null && m.id === this.inflight.id)) {
      this.inflight = null;
      return { send: this.next() };
    }
    let incoming = m.op;
    if (this.inflight !== null) {
      const mine = this.inflight.op;
      this.inflight = { op: transformAgainst(incoming, mine), id: this.inflight.id };
      incoming = transformIncoming(mine, incoming);
    }
    if (this.buffer !== null) {
      const mine = this.buffer;
      this.buffer = transformAgainst(incoming, mine);
      incoming = transformIncoming(mine, incoming);
    }
    this.content = this.content.compose(incoming);
    return { applied: incoming };
  }

  offline(): void {
    this.connected = false;
  }

  /** The doc is open again (`doc.opened`); the op in flight, if not acked by the replay, goes again with its id. */
  online(): Submission | undefined {
    this.connected = true;
    if (this.inflight !== null) return { version: this.version, ...this.inflight };
    return this.next();
  }

  private next(): Submission | undefined {
    if (!this.connected || this.inflight !== null || this.buffer === null) return undefined;
    this.inflight = { op: this.buffer, id: this.newId() };
    this.buffer = null;
    return { version: this.version, ...this.inflight };
  }
}
