// Chat rooms in order: membership and presence, seq given out in arrival order,
// committed, then acked and broadcast. Joins read history from the store and meet the
// live stream without a gap.
import { EMPTY, Observable, SchedulerLike, asyncScheduler, catchError, defer, from, map, mergeMap, of, concatMap } from 'rxjs';
import { DEFAULT_HISTORY_LIMIT, JOIN_HISTORY, Message, Original, Presence, RoomLog, SINCE_HISTORY } from '../domain/chat';
import { ProtocolError, err } from '../domain/errors';
import { FrameOf, Ref } from '../domain/protocol';
import { Write } from '../domain/writes';
import { Conn, Effect, Inbound, guarded, publish, replyError, send, subscribe, unsubscribe, withRef } from './effects';
import { unavailable } from './commit';

/** Messages of `room` with after < seq ≤ upTo and seq < before: the `limit` newest, oldest first. */
export interface HistoryQuery {
  readonly room: string;
  readonly after?: number;
  readonly upTo?: number;
  readonly before?: number;
  readonly limit: number;
}

export interface StoredRoom {
  readonly seq: number;
  readonly ids: Iterable<readonly [string, Original]>;
}

export interface ChatDeps {
  readonly commit: (w: Write) => Observable<unknown>;
  readonly history: (q: HistoryQuery) => Observable<readonly Message[]>;
  readonly newId: () => string;
  /** Rooms as stored: last seq and the recent ids that make resends idempotent. */
  readonly rooms: ReadonlyMap<string, StoredRoom>;
  readonly dedupeWindow: number;
}

export const roomTopic = (room: string) => `room:${room}`;

const messageFrame = (m: Message) => ({ type: 'chat.message', room: m.room, seq: m.seq, user: m.user, text: m.text, at: m.at, id: m.id });

export const chat = (inbound$: Observable<Inbound>, deps: ChatDeps, scheduler: SchedulerLike = asyncScheduler): Observable<Effect> =>
  defer(() => {
    const logs = new Map<string, RoomLog>();
    const presence = new Presence();
    const open = new Set<string>();
    // Resends that arrived while their original was still being committed.
    const waiting = new Map<string, { conn: string; ref?: Ref }[]>();

    const logOf = (room: string): RoomLog => {
      let log = logs.get(room);
      if (!log) {
        const stored = deps.rooms.get(room);
        log = new RoomLog(room, stored?.seq ?? 0, deps.dedupeWindow, stored?.ids);
        logs.set(room, log);
      }
      return log;
    };

    const ack = (conn: string, ref: Ref | undefined, m: { room: string; seq: number; at: number; id: string }): Effect =>
      send(conn, withRef({ type: 'chat.ack', room: m.room, seq: m.seq, at: m.at, id: m.id }, ref));

    const failed = (conn: string, ref: Ref | undefined) => (e: unknown) =>
      of(replyError(conn, isProtocolError(e) ? e : unavailable, ref));

    const chatSend = (conn: Conn, f: FrameOf<'chat.send'>): Observable<Effect> => {
      if (!presence.has(f.room, conn.id, conn.user)) return of(replyError(conn.id, notJoined(f.room), f.ref));
      const log = logOf(f.room);
      const admitted = log.admit(conn.user, f.text, f.id ?? deps.newId(), scheduler.now());
      if (admitted.kind === 'duplicate') {
        const id = f.id as string;
        if (admitted.committed) {
          return of(ack(conn.id, f.ref, { room: f.room, seq: admitted.seq, at: admitted.at, id }));
        }
        const list = waiting.get(key(f.room, id)) ?? [];
        list.push({ conn: conn.id, ref: f.ref });
        waiting.set(key(f.room, id), list);
        return EMPTY;
      }
      const m = admitted.message;
      return deps.commit({ kind: 'message', message: m }).pipe(
        mergeMap(() => {
          log.committed(m.seq);
          const k = key(m.room, m.id);
          const resent = waiting.get(k) ?? [];
          waiting.delete(k);
          return from([ack(conn.id, f.ref, m), ...resent.map((w) => ack(w.conn, w.ref, m)), publish(roomTopic(m.room), messageFrame(m))]);
        }),
        catchError((e) => {
          log.rollback(m);
          const k = key(m.room, m.id);
          const resent = waiting.get(k) ?? [];
          waiting.delete(k);
          return from([conn.id, ...resent.map((w) => w.conn)].map((c, i) =>
            replyError(c, isProtocolError(e) ? e : unavailable, i === 0 ? f.ref : resent[i - 1].ref)));
        }),
      );
    };

    // History up to what is committed now; if more got committed while reading, read
    // that too, so that the joiner's history ends where its live stream begins.
    const historyUpToNow = (room: string, q: Omit<HistoryQuery, 'room' | 'upTo'>): Observable<Message[]> => {
      const upTo = logOf(room).committedSeq;
      return deps.history({ room, ...q, upTo }).pipe(
        concatMap((rows) => {
          const now = logOf(room).committedSeq;
          return now === upTo ? of([...rows]) : historyUpToNow(room, { after: upTo, limit: q.limit }).pipe(map((more) => [...rows, ...more]));
        }),
        map((rows) => rows.slice(-q.limit)),
      );
    };

    const roomJoin = (conn: Conn, f: FrameOf<'room.join'>): Observable<Effect> =>
      historyUpToNow(f.room, f.since === undefined ? { limit: JOIN_HISTORY } : { after: f.since, limit: SINCE_HISTORY }).pipe(
        mergeMap((history) => {
          if (!open.has(conn.id)) return EMPTY;
          const effects: Effect[] = [];
          if (!presence.has(f.room, conn.id, conn.user)) {
            if (presence.join(f.room, conn.user, conn.id)) {
              effects.push(publish(roomTopic(f.room), { type: 'presence.join', room: f.room, user: conn.user }));
            }
            effects.push(subscribe(conn.id, roomTopic(f.room)));
          }
          const members = presence.members(f.room);
          effects.push(send(conn.id, withRef({ type: 'room.joined', room: f.room, members, history: history.map(messageFrame) }, f.ref)));
          return from(effects);
        }),
        catchError(failed(conn.id, f.ref)),
      );

    const leave = (conn: Conn, room: string): Effect[] => {
      if (!presence.has(room, conn.id, conn.user)) return [];
      const last = presence.leave(room, conn.user, conn.id);
      const effects = [unsubscribe(conn.id, roomTopic(room))];
      if (last) effects.push(publish(roomTopic(room), { type: 'presence.leave', room, user: conn.user }));
      return effects;
    };

    const roomHistory = (conn: Conn, f: FrameOf<'room.history'>): Observable<Effect> =>
      deps.history({ room: f.room, before: f.before, limit: f.limit ?? DEFAULT_HISTORY_LIMIT }).pipe(
        map((rows) => send(conn.id, withRef({ type: 'room.history', room: f.room, messages: rows.map(messageFrame) }, f.ref))),
        catchError(failed(conn.id, f.ref)),
      );

    const handle = (event: Inbound): Observable<Effect> => {
      const { conn } = event;
      if (event.kind === 'open') {
        open.add(conn.id);
        return EMPTY;
      }
      if (event.kind === 'close') {
        open.delete(conn.id);
        return from(presence.roomsOf(conn.id).flatMap((room) => leave(conn, room)));
      }
      const f = event.frame;
      switch (f.type) {
        case 'room.join':
          return roomJoin(conn, f);
        case 'room.leave':
          return from([...leave(conn, f.room), send(conn.id, withRef({ type: 'room.left', room: f.room }, f.ref))]);
        case 'chat.send':
          return chatSend(conn, f);
        case 'chat.typing':
          return presence.has(f.room, conn.id, conn.user)
            ? of(publish(roomTopic(f.room), { type: 'chat.typing', room: f.room, user: conn.user }, conn.id))
            : of(replyError(conn.id, notJoined(f.room), f.ref));
        case 'room.history':
          return roomHistory(conn, f);
        default:
          return EMPTY;
      }
    };

    return inbound$.pipe(mergeMap(guarded(handle)));
  });

const key = (room: string, id: string) => `${room}\n${id}`;
const notJoined = (room: string) => err('not_joined', `join room ${room} first`, 'room');
const isProtocolError = (e: unknown): e is ProtocolError =>
  typeof e === 'object' && e !== null && typeof (e as ProtocolError).code === 'string' && typeof (e as ProtocolError).message === 'string';
