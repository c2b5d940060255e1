// A collaborative document as one client sees it: the OT state machine of the server's
// own code (src/domain/ot.ts, DocClient) on top of the socket, reopened after each
// reconnect with the version it had seen, and others' cursors kept in its coordinates.
import Delta from 'quill-delta';
import { BehaviorSubject, EMPTY, Observable, SchedulerLike, Subject, Subscription, catchError, filter, finalize, firstValueFrom, ignoreElements, merge, switchMap, tap } from 'rxjs';
import { DocClient, Submission } from '../../../src/domain/ot';
import { Connection, Session } from './connection';
import { RusherError, isConnectionLost } from './errors';
import { Range, ServerFrame } from './frames';

export type DocChange =
  /**
   * The content was (re)loaded from a snapshot: show this instead of what was there.
   * `reason` says why a loaded doc was loaded again (its edits not yet acked are lost).
   */
  | { readonly kind: 'reset'; readonly content: Delta; readonly reason?: string }
  /** Someone else's op, rebased over our own pending edits: apply it to what is shown. */
  | { readonly kind: 'remote'; readonly delta: Delta; readonly user?: string };

export interface DocStatus {
  readonly status: 'opening' | 'open' | 'offline' | 'closed';
  /** The last server version seen. */
  readonly version: number;
  /** Edits the server has not acked yet. */
  readonly pending: boolean;
  /** Why the document could not be opened, until it is. */
  readonly error?: string;
}

export interface RemoteCursor {
  readonly user: string;
  readonly range: Range;
}

export interface DocOptions {
  readonly scheduler: SchedulerLike;
  readonly newId: () => string;
  /** A cursor not moved for this long is dropped: nothing tells us its user closed the doc. */
  readonly cursorMs: number;
  readonly onClose: () => void;
}

/** Moves a range over a change made before or inside it. */
const moveRange = (change: Delta, r: Range): Range => {
  const index = change.transformPosition(r.index);
  return { index, length: Math.max(0, change.transformPosition(r.index + r.length) - index) };
};

export class Doc {
  private client: DocClient | null = null;
  /** The socket the doc is open on (its snapshot or `doc.opened` came). */
  private open: Session | null = null;
  private readonly subscription: Subscription;
  private readonly timers = new Subscription();
  private readonly changes = new Subject<DocChange>();
  private readonly status: BehaviorSubject<DocStatus>;
  private readonly cursors = new BehaviorSubject<ReadonlyMap<string, RemoteCursor>>(new Map());
  private readonly cursorSeen = new Map<string, number>();
  /** What to do to the shown content: replace it, or apply someone's op. */
  readonly changes$: Observable<DocChange> = this.changes.asObservable();
  /** Emits the current status on subscribe. */
  readonly status$: Observable<DocStatus>;
  /** Others' cursors by user, in the coordinates of `content`; emits the current ones on subscribe. */
  readonly cursors$: Observable<ReadonlyMap<string, RemoteCursor>> = this.cursors.asObservable();
  private localRange: Range | null = null;
  private rangeSent = true;
  private closed = false;
  private reloadReason: string | undefined;

  constructor(
    readonly id: string,
    connection: Connection,
    private readonly options: DocOptions,
  ) {
    this.status = new BehaviorSubject<DocStatus>({ status: 'opening', version: 0, pending: false });
    this.status$ = this.status.asObservable();
    this.subscription = connection.session$.pipe(switchMap((s) => this.openOn(s))).subscribe();
  }

  /** What the user should see; null until the first snapshot. */
  get content(): Delta | null {
    return this.client?.content ?? null;
  }

  /** The user changed the document (a delta over `content`). */
  edit(change: Delta): void {
    if (this.client === null) throw new Error(`document ${this.id} is not loaded yet`);
    this.moveCursors(change);
    const next = this.client.edit(change);
    if (next && this.open) this.submit(this.open, this.client, next);
    this.report();
  }

  /** Where the user's selection is. Sent while no edit is pending, so it is in the server's coordinates. */
  cursor(range: Range): void {
    this.localRange = range;
    this.rangeSent = false;
    this.flushCursor();
  }

  /** Closes the doc once the server has acked every edit made in it. */
  async close(): Promise<void> {
    await firstValueFrom(this.status.pipe(filter((s) => !s.pending)));
    const session = this.open;
    this.subscription.unsubscribe();
    this.timers.unsubscribe();
    this.status.next({ ...this.status.value, status: 'closed' });
    this.closed = true;
    this.status.complete();
    this.changes.complete();
    this.cursors.complete();
    this.options.onClose();
    if (session) await firstValueFrom(session.request({ type: 'doc.close', doc: this.id })).catch(() => undefined);
  }

  private openOn(session: Session): Observable<never> {
    const live$ = session.frames$.pipe(tap((f) => this.onFrame(f)));
    return merge(live$, this.reopen(session)).pipe(
      ignoreElements(),
      finalize(() => {
        if (this.open === session) this.open = null;
        this.client?.offline();
        this.cursorSeen.clear();
        this.setCursors(new Map());
        this.report('offline');
      }),
    );
  }

  /** `doc.open`, with our version when we have one: the server replays what we missed. */
  private reopen(session: Session): Observable<never> {
    const client = this.client;
    const frame = client ? { type: 'doc.open' as const, doc: this.id, version: client.version } : { type: 'doc.open' as const, doc: this.id };
    return session.request(frame).pipe(
      switchMap((reply) => {
        let current = client;
        if (reply.type === 'doc.snapshot') {
          current = this.client = new DocClient(reply.version, new Delta([...reply.content.ops]), this.options.newId);
          this.changes.next({ kind: 'reset', content: current.content, reason: this.reloadReason });
          this.reloadReason = undefined;
        }
        if (current === null) throw new RusherError('bad_reply', 'doc.opened answered a doc.open without a version');
        this.open = session;
        this.report('open');
        const next = current.online();
        if (next) this.submit(session, current, next);
        this.flushCursor();
        return EMPTY;
      }),
      catchError((e: unknown) => {
        if (isConnectionLost(e)) return EMPTY;
        const code = e instanceof RusherError ? e.code : '';
        // Our version is gone from the server's history (or ahead of it): start from a snapshot.
        if (this.client !== null && (code === 'stale_version' || code === 'bad_version')) return this.reload(session, (e as Error).message);
        this.report(undefined, (e as Error).message);
        return EMPTY;
      }),
    );
  }

  /** Starts over from a snapshot; edits not acked are lost, and the reset says why. */
  private reload(session: Session, why: string): Observable<never> {
    this.client = null;
    this.open = null;
    this.reloadReason = why;
    this.report('opening');
    return this.reopen(session);
  }

  private submit(session: Session, client: DocClient, s: Submission): void {
    session.request({ type: 'doc.op', doc: this.id, version: s.version, op: { ops: s.op.ops }, id: s.id }).subscribe({
      next: (ack) => {
        if (this.client !== client) return;
        const next = client.receive({ kind: 'ack', version: ack.version }).send;
        if (next) this.submit(session, client, next);
        this.report();
        this.flushCursor();
      },
      error: (e: unknown) => {
        // A lost op is resent by `online()` after the reopen; a refused one leaves our
        // state unusable (its ack never comes), so the doc is loaded again.
        if (isConnectionLost(e) || this.client !== client) return;
        this.reload(session, (e as Error).message).subscribe();
      },
    });
  }

  private onFrame(f: ServerFrame): void {
    if (!('doc' in f) || f.doc !== this.id || this.client === null) return;
    if (f.type === 'doc.op') {
      // An op the snapshot already holds, or one replayed twice, is not applied again.
      if (f.version <= this.client.version) return;
      const r = this.client.receive({ kind: 'op', version: f.version, op: new Delta([...f.op.ops]), id: f.id });
      if (r.applied) {
        this.moveCursors(r.applied);
        this.changes.next({ kind: 'remote', delta: r.applied, user: f.user });
      }
      if (r.send && this.open) this.submit(this.open, this.client, r.send);
      this.report();
    } else if (f.type === 'doc.cursor') {
      const at = this.options.scheduler.now();
      this.cursorSeen.set(f.user, at);
      this.setCursors(new Map(this.cursors.value).set(f.user, { user: f.user, range: f.range }));
      this.timers.add(this.options.scheduler.schedule(() => this.pruneCursors(), this.options.cursorMs));
    }
  }

  private flushCursor(): void {
    if (this.rangeSent || this.localRange === null || this.open === null || this.client === null || this.client.pending) return;
    this.open.send({ type: 'doc.cursor', doc: this.id, version: this.client.version, range: this.localRange });
    this.rangeSent = true;
  }

  private moveCursors(change: Delta): void {
    if (this.cursors.value.size === 0) return;
    const moved = new Map<string, RemoteCursor>();
    for (const [user, c] of this.cursors.value) moved.set(user, { user, range: moveRange(change, c.range) });
    this.setCursors(moved);
  }

  private pruneCursors(): void {
    const now = this.options.scheduler.now();
    const kept = new Map([...this.cursors.value].filter(([user]) => now - (this.cursorSeen.get(user) ?? -Infinity) < this.options.cursorMs));
    if (kept.size !== this.cursors.value.size) this.setCursors(kept);
  }

  private setCursors(cursors: ReadonlyMap<string, RemoteCursor>): void {
    if (!this.closed) this.cursors.next(cursors);
  }

  private report(status?: DocStatus['status'], error?: string): void {
    // Replies still under way when the doc was closed find it done.
    if (this.closed) return;
    const s = this.status.value;
    this.status.next({
      status: status ?? s.status,
      version: this.client?.version ?? s.version,
      pending: this.client?.pending ?? false,
      error: error ?? (status === 'open' ? undefined : s.error),
    });
  }
}
