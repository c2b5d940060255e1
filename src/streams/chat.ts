// Chat rooms in order: membership and presence, seq given out in arrival order,
// committed, then acked and broadcast. Joins read history from the store and meet the
// live stream without a gap.
import { EMPTY, Observable, ObservableInput, SchedulerLike, asyncScheduler, catchError, concatMap, defer, finalize, map, mergeMap, of } from 'rxjs';
import { Either, isLeft } from 'fp-ts/Either';
import { DEFAULT_HISTORY_LIMIT, JOIN_HISTORY, Message, Original, Presence, RoomLog, SINCE_HISTORY } from '../domain/chat';
import { InFlight, quotaExceeded, roomFor } from '../domain/limits';
import { ProtocolError, err } from '../domain/errors';
import { FrameOf, Ref } from '../domain/protocol';
import { Conn, Effect, Inbound, Out, forbidden, guarded, isProtocolError, pending, publish, replyError, send, subscribe, unavailable, unsubscribe, withRef } from './effects';

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
  readonly history: (q: HistoryQuery) => ObservableInput<readonly Message[]>;
  readonly newId: () => string;
  /** Rooms as stored: last seq and the recent ids that make resends idempotent. */
  readonly rooms: ReadonlyMap<string, StoredRoom>;
  readonly dedupeWindow: number;
  /** Rooms one socket may be in at once; 0: no limit. */
  readonly roomsPerSocket: number;
}

export const roomTopic = (room: string) => `room:${room}`;

export const messageFrame = (m: Message) => ({ type: 'chat.message', room: m.room, seq: m.seq, user: m.user, text: m.text, at: m.at, id: m.id });

interface Asker {
  readonly conn: string;
  readonly ref?: Ref;
}

export const chat = (inbound$: Observable<Inbound>, deps: ChatDeps, scheduler: SchedulerLike = asyncScheduler): Observable<Out> =>
  defer(() => {
    const logs = new Map<string, RoomLog>();
    const presence = new Presence();
    const joining = new InFlight();
    const open = new Set<string>();
    // Resends that arrived while their original was still being committed.
    const waiting = new Map<string, Asker[]>();

    const logOf = (room: string): RoomLog => {
      let log = logs.get(room);
      if (!log) {
        const stored = deps.rooms.get(room);
        log = new RoomLog(room, stored?.seq ?? 0, deps.dedupeWindow, stored?.ids);
        logs.set(room, log);
      }
      return log;
    };

    // Built whole rather than through withRef: this runs for every message. An absent
    // ref is undefined here, which JSON leaves out.
    const ack = (to: Asker, m: { room: string; seq: number; at: number; id: string }): Effect =>
      send(to.conn, { type: 'chat.ack', ref: to.ref, room: m.room, seq: m.seq, at: m.at, id: m.id });

    const failed = (conn: string, ref: Ref | undefined) => (e: unknown) => of(replyError(conn, isProtocolError(e) ? e : unavailable, ref));

    const takeWaiting = (m: Message): Asker[] => {
      const k = key(m.room, m.id);
      const list = waiting.get(k);
      if (list === undefined) return [];
      waiting.delete(k);
      return list;
    };

    const settled = (log: RoomLog, m: Message, sender: Asker) => (result: Either<ProtocolError, unknown>): Effect[] => {
      const askers = [sender, ...takeWaiting(m)];
      if (isLeft(result)) {
        log.rollback(m);
        return askers.map((a) => replyError(a.conn, result.left, a.ref));
      }
      log.committed(m.seq);
      return [publish(roomTopic(m.room), messageFrame(m)), ...askers.map((a) => ack(a, m))];
    };

    const chatSend = (conn: Conn, f: FrameOf<'chat.send'>): Out[] => {
      const refused = forbidden(conn, { on: 'room', room: f.room }, 'room');
      if (refused !== undefined) return [replyError(conn.id, refused, f.ref)];
      if (!presence.has(f.room, conn.id, conn.user)) return [replyError(conn.id, notJoined(f.room), f.ref)];
      const log = logOf(f.room);
      const admitted = log.admit(conn.user, f.text, f.id ?? deps.newId(), scheduler.now());
      const sender: Asker = { conn: conn.id, ref: f.ref };
      if (admitted.kind === 'duplicate') {
        const id = f.id as string;
        if (admitted.committed) return [ack(sender, { room: f.room, seq: admitted.seq, at: admitted.at, id })];
        const k = key(f.room, id);
        waiting.set(k, [...(waiting.get(k) ?? []), sender]);
        return [];
      }
      const m = admitted.message;
      return [pending({ kind: 'message', message: m }, settled(log, m, sender))];
    };

    // History up to what is committed now; if more got committed while reading, read
    // that too, so that the joiner's history ends where its live stream begins.
    const historyUpToNow = (room: string, q: Omit<HistoryQuery, 'room' | 'upTo'>): Observable<Message[]> => {
      const upTo = logOf(room).committedSeq;
      return defer(() => deps.history({ room, ...q, upTo })).pipe(
        concatMap((rows) => {
          const now = logOf(room).committedSeq;
          return now === upTo ? of([...rows]) : historyUpToNow(room, { after: upTo, limit: q.limit }).pipe(map((more) => [...rows, ...more]));
        }),
        map((rows) => rows.slice(-q.limit)),
      );
    };

    const roomJoin = (conn: Conn, f: FrameOf<'room.join'>): ObservableInput<Out> => {
      const refused = forbidden(conn, { on: 'room', room: f.room }, 'room');
      if (refused !== undefined) return [replyError(conn.id, refused, f.ref)];
      const member = presence.has(f.room, conn.id, conn.user);
      if (!member && !roomFor(deps.roomsPerSocket, presence.roomCount(conn.id) + joining.count(conn.id))) {
        return [replyError(conn.id, quotaExceeded('rooms joined by one socket', deps.roomsPerSocket, 'room'), f.ref)];
      }
      if (!member) joining.add(conn.id);
      return historyUpToNow(f.room, f.since === undefined ? { limit: JOIN_HISTORY } : { after: f.since, limit: SINCE_HISTORY }).pipe(
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
          return effects;
        }),
        catchError(failed(conn.id, f.ref)),
        finalize(() => !member && joining.done(conn.id)),
      );
    };

    const leave = (conn: Conn, room: string): Effect[] => {
      if (!presence.has(room, conn.id, conn.user)) return [];
      const last = presence.leave(room, conn.user, conn.id);
      const effects = [unsubscribe(conn.id, roomTopic(room))];
      if (last) effects.push(publish(roomTopic(room), { type: 'presence.leave', room, user: conn.user }));
      return effects;
    };

    const roomHistory = (conn: Conn, f: FrameOf<'room.history'>): ObservableInput<Out> => {
      const refused = forbidden(conn, { on: 'room', room: f.room }, 'room');
      if (refused !== undefined) return [replyError(conn.id, refused, f.ref)];
      return defer(() => deps.history({ room: f.room, before: f.before, limit: f.limit ?? DEFAULT_HISTORY_LIMIT })).pipe(
        map((rows) => send(conn.id, withRef({ type: 'room.history', room: f.room, messages: rows.map(messageFrame) }, f.ref))),
        catchError(failed(conn.id, f.ref)),
      );
    };

    // A refreshed token that no longer allows a room takes the socket out of it.
    const revoke = (conn: Conn): Effect[] =>
      presence
        .roomsOf(conn.id)
        .filter((room) => forbidden(conn, { on: 'room', room }, 'room') !== undefined)
        .flatMap((room) => [...leave(conn, room), send(conn.id, { type: 'room.left', room })]);

    const typing = (conn: Conn, f: FrameOf<'chat.typing'>): Effect[] => {
      const refused = forbidden(conn, { on: 'room', room: f.room }, 'room') ?? (presence.has(f.room, conn.id, conn.user) ? undefined : notJoined(f.room));
      return refused === undefined ? [publish(roomTopic(f.room), { type: 'chat.typing', room: f.room, user: conn.user }, conn.id)] : [replyError(conn.id, refused, f.ref)];
    };

    const handle = (event: Inbound): ObservableInput<Out> => {
      const { conn } = event;
      if (event.kind === 'open') {
        open.add(conn.id);
        return [];
      }
      if (event.kind === 'close') {
        open.delete(conn.id);
        return presence.roomsOf(conn.id).flatMap((room) => leave(conn, room));
      }
      if (event.kind === 'access') return revoke(conn);
      const f = event.frame;
      switch (f.type) {
        case 'room.join':
          return roomJoin(conn, f);
        case 'room.leave':
          return [...leave(conn, f.room), send(conn.id, withRef({ type: 'room.left', room: f.room }, f.ref))];
        case 'chat.send':
          return chatSend(conn, f);
        case 'chat.typing':
          return typing(conn, f);
        case 'room.history':
          return roomHistory(conn, f);
        default:
          return [];
      }
    };

    return inbound$.pipe(mergeMap(guarded(handle)));
  });

const key = (room: string, id: string) => `${room}\n${id}`;
const notJoined = (room: string) => err('not_joined', `join room ${room} first`, 'room');
