// Activity feeds: the live timeline (read again on every socket, then kept up to date by
// feed.activity and feed.removed), notifications with their unseen and unread counts,
// and one-shot requests (post, follow, react, mark).
import { EMPTY, Observable, Subject, catchError, filter, firstValueFrom, ignoreElements, map, merge, scan, shareReplay, startWith, switchMap, take } from 'rxjs';
import { Connection, Session } from './connection';
import { Activity, Counters, NotificationGroup, PostInput, ReplyTo, Request, ServerFrame } from './frames';

export interface TimelineState {
  /** Newest first. */
  readonly activities: readonly Activity[];
  /** False until the first page has arrived. */
  readonly loaded: boolean;
}

export interface NotificationsState extends Counters {
  /** The most recently updated first. */
  readonly groups: readonly NotificationGroup[];
}

type TimelineEvent =
  | { readonly kind: 'page'; readonly activities: readonly Activity[] }
  | { readonly kind: 'activity'; readonly activity: Activity }
  | { readonly kind: 'removed'; readonly id: string }
  | { readonly kind: 'counts'; readonly id: string; readonly reactions: Activity['reactions'] };

/** How many activities the timeline shows. */
export const TIMELINE_PAGE = 50;

const newestFirst = (a: Activity, b: Activity) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

const applyEvent = (state: TimelineState, e: TimelineEvent): TimelineState => {
  switch (e.kind) {
    case 'page': {
      // Live activities newer than the page stay: they arrived while it was read.
      const newest = e.activities[0]?.id ?? '';
      const newer = state.activities.filter((a) => a.id > newest);
      return { activities: [...newer, ...e.activities], loaded: true };
    }
    case 'activity':
      return state.activities.some((a) => a.id === e.activity.id) ? state : { ...state, activities: [e.activity, ...state.activities].sort(newestFirst) };
    case 'removed':
      return { ...state, activities: state.activities.filter((a) => a.id !== e.id) };
    case 'counts':
      return { ...state, activities: state.activities.map((a) => (a.id === e.id ? { ...a, reactions: e.reactions } : a)) };
  }
};

const isLive = <T extends ServerFrame['type']>(type: T) => (f: ServerFrame): f is Extract<ServerFrame, { type: T }> => f.type === type;

export class Feed {
  readonly timeline$: Observable<TimelineState>;
  readonly notifications$: Observable<NotificationsState>;
  /** Something changed what the timeline holds (a follow, a block): read it again. */
  private readonly reread = new Subject<void>();
  private readonly counts = new Subject<TimelineEvent>();
  private readonly marked = new Subject<Counters>();

  constructor(private readonly connection: Connection) {
    this.timeline$ = connection.session$.pipe(
      switchMap((s) => merge(this.subscribeOn(s), this.timelineOn(s))),
      startWith<TimelineEvent | null>(null),
      scan((state: TimelineState, e) => (e === null ? state : applyEvent(state, e)), { activities: [], loaded: false }),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
    this.notifications$ = connection.session$.pipe(
      switchMap((s) => this.notificationsOn(s)),
      startWith<NotificationsState>({ groups: [], unseen: 0, unread: 0 }),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
  }

  async post(input: PostInput): Promise<Activity> {
    return (await this.call({ type: 'feed.post', ...input })).activity;
  }

  async delete(id: string): Promise<void> {
    await this.call({ type: 'feed.delete', activity: id });
  }

  /** Resolves with whether the two are now friends. */
  async follow(user: string): Promise<boolean> {
    const r = await this.call({ type: 'feed.follow', user });
    this.reread.next();
    return r.type === 'feed.followed' && r.friends;
  }

  async unfollow(user: string): Promise<void> {
    await this.call({ type: 'feed.unfollow', user });
    this.reread.next();
  }

  async block(user: string): Promise<void> {
    await this.call({ type: 'feed.block', user });
    this.reread.next();
  }

  async react(activity: string, kind: string, on = true): Promise<Activity['reactions']> {
    const r = await this.call(on ? { type: 'feed.react', activity, kind } : { type: 'feed.unreact', activity, kind });
    this.counts.next({ kind: 'counts', id: activity, reactions: r.reactions });
    return r.reactions;
  }

  /** A user's own activities that we may see, newest first. */
  async user(user: string): Promise<readonly Activity[]> {
    const r = await this.call({ type: 'feed.user', user });
    return r.type === 'feed.user' ? r.activities : [];
  }

  async mark(what: { readonly seen?: boolean; readonly read?: boolean | readonly string[] }): Promise<Counters> {
    const r = await this.call({ type: 'feed.mark', ...what });
    this.marked.next(r);
    return r;
  }

  private subscribeOn(session: Session): Observable<never> {
    return session.request({ type: 'feed.subscribe' }).pipe(
      ignoreElements(),
      catchError(() => EMPTY),
    );
  }

  private timelineOn(session: Session): Observable<TimelineEvent> {
    const pages$ = this.reread.pipe(
      startWith(undefined),
      switchMap(() => session.request({ type: 'feed.timeline', limit: TIMELINE_PAGE }).pipe(catchError(() => EMPTY))),
      map((r): TimelineEvent => ({ kind: 'page', activities: r.type === 'feed.timeline' ? r.activities : [] })),
    );
    const added$ = session.frames$.pipe(filter(isLive('feed.activity')), map((f): TimelineEvent => ({ kind: 'activity', activity: f.activity })));
    const removed$ = session.frames$.pipe(filter(isLive('feed.removed')), map((f): TimelineEvent => ({ kind: 'removed', id: f.activity })));
    return merge(pages$, added$, removed$, this.counts);
  }

  private notificationsOn(session: Session): Observable<NotificationsState> {
    // Read on every socket, again on each new notification; a mark answers with the counts.
    const changed$ = session.frames$.pipe(filter(isLive('feed.notification')));
    const lists$ = merge(changed$, this.marked).pipe(
      startWith(undefined),
      switchMap(() => session.request({ type: 'feed.notifications' }).pipe(catchError(() => EMPTY))),
      map((r) => (r.type === 'feed.notifications' ? { groups: r.groups, unseen: r.unseen, unread: r.unread } : { groups: [], unseen: 0, unread: 0 })),
    );
    return lists$;
  }

  /** One request on the open socket (waiting for one if there is none). */
  private call<F extends Request>(frame: F): Promise<ReplyTo<F>> {
    return firstValueFrom(this.connection.session$.pipe(take(1), switchMap((s) => s.request(frame))));
  }
}
