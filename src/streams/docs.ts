// Collaborative documents in order: each document has one queue (groupBy + concatMap),
// where ops are transformed, applied in memory, committed, then acked and broadcast.
// An open is answered once everything it shows is committed, in the same batch of
// effects as the last commit it waited for, so it never shows an op that could still
// be lost, and never misses one.
import Delta from 'quill-delta';
import { Observable, ObservableInput, SchedulerLike, asyncScheduler, catchError, concatMap, defer, filter, finalize, from, groupBy, merge, mergeMap, of, startWith, switchMap, timer } from 'rxjs';
import { Either, isLeft } from 'fp-ts/Either';
import { parseDelta } from '../domain/delta';
import { Applied, Doc, loadDoc, opsSince, submit, transformCursor } from '../domain/docs';
import { ProtocolError, err } from '../domain/errors';
import { FrameOf } from '../domain/protocol';
import { InFlight, quotaExceeded, roomFor } from '../domain/limits';
import { Conn, Effect, Inbound, Out, forbidden, guarded, isProtocolError, pending, publish, replyError, send, subscribe, unavailable, unsubscribe, withRef } from './effects';

/** A document as stored: the content at `version`, and every op after it. */
export interface StoredDoc {
  readonly version: number;
  readonly content: Delta;
  readonly ops: readonly Applied[];
}

export interface DocsDeps {
  readonly load: (doc: string) => ObservableInput<StoredDoc>;
  /** Ops kept in memory per document (how late an op or a reconnect may be). */
  readonly keep: number;
  /** A snapshot is stored every this many versions. */
  readonly snapshotEvery: number;
  /** A document's queue ends after this long without events (its state stays if open). */
  readonly idleMs: number;
  /** Documents one socket may have open at once, and characters a document may hold; 0: no limit. */
  readonly docsPerSocket: number;
  readonly docChars: number;
  /** A snapshot larger than this (bytes of JSON) is refused with `too_large`, and the doc is not opened; 0: no limit. */
  readonly maxSnapshotBytes: number;
}

export const docTopic = (doc: string) => `doc:${doc}`;

type DocFrame = FrameOf<'doc.open'> | FrameOf<'doc.op'> | FrameOf<'doc.cursor'> | FrameOf<'doc.close'>;
type DocEvent = { readonly conn: Conn; readonly frame: DocFrame };

/** This pipeline's input holds only doc frames (streams/route.ts), beside socket lifecycle events. */
const isDocFrame = (e: Inbound): e is Inbound & DocEvent => e.kind === 'frame';

/** A document in memory and what waits on its commits. */
interface Live {
  readonly doc: Doc;
  /** The last version stored; versions above it are applied in memory only. */
  committed: number;
  /** Effects to release with the commit of a version (opens, resends of ops in flight). */
  readonly waiting: Map<number, { conn: string; ref?: FrameOf<'doc.open'>['ref']; effects: Effect[] }[]>;
  /** Sockets that have it open. */
  readonly readers: Set<string>;
  /** A commit failed: memory is ahead of the store, the next event reloads what is stored. */
  stale: boolean;
}

const opFrame = (doc: string, version: number, a: Applied) =>
  a.id === undefined ? { type: 'doc.op', doc, version, op: a.op, user: a.user } : { type: 'doc.op', doc, version, op: a.op, user: a.user, id: a.id };

export const docs = (inbound$: Observable<Inbound>, deps: DocsDeps, scheduler: SchedulerLike = asyncScheduler): Observable<Out> =>
  defer(() => {
    const live = new Map<string, Live>();
    const connected = new Set<string>();
    const opened = new Map<string, Set<string>>();
    // Opens in flight per socket (the document is loading): they count against its limit.
    const opening = new InFlight();

    const isOpen = (conn: string, doc: string) => opened.get(conn)?.has(doc) ?? false;

    const forget = (doc: string, l: Live) => {
      if (l.readers.size === 0 && (l.stale || l.committed === l.doc.version) && live.get(doc) === l) live.delete(doc);
    };

    const close = (conn: string, doc: string) => {
      opened.get(conn)?.delete(doc);
      const l = live.get(doc);
      if (l === undefined) return;
      l.readers.delete(conn);
      forget(doc, l);
    };

    /** Effects now if `version` is committed, else with its commit. */
    const whenCommitted = (l: Live, version: number, conn: string, ref: DocFrame['ref'], effects: Effect[]): Effect[] => {
      if (version <= l.committed) return effects;
      const list = l.waiting.get(version) ?? [];
      list.push({ conn, ref, effects });
      l.waiting.set(version, list);
      return [];
    };

    const withDoc = (id: string, conn: Conn, ref: DocFrame['ref'], then: (l: Live) => ObservableInput<Out>): ObservableInput<Out> => {
      const known = live.get(id);
      if (known !== undefined && !known.stale) return then(known);
      return defer(() => deps.load(id)).pipe(
        mergeMap((stored) => {
          const doc = loadDoc(id, stored.version, stored.content, stored.ops, deps.keep);
          const l: Live = { doc, committed: doc.version, waiting: new Map(), readers: known?.readers ?? new Set(), stale: false };
          live.set(id, l);
          return then(l);
        }),
        catchError((e) => of(replyError(conn.id, isProtocolError(e) ? e : unavailable, ref))),
      );
    };

    const open = (conn: Conn, f: FrameOf<'doc.open'>): ObservableInput<Out> => {
      const refused = forbidden(conn, { on: 'doc', doc: f.doc, write: false }, 'doc');
      if (refused !== undefined) return [replyError(conn.id, refused, f.ref)];
      const already = isOpen(conn.id, f.doc);
      if (!already && !roomFor(deps.docsPerSocket, (opened.get(conn.id)?.size ?? 0) + opening.count(conn.id))) {
        return [replyError(conn.id, quotaExceeded('documents open on one socket', deps.docsPerSocket, 'doc'), f.ref)];
      }
      if (!already) opening.add(conn.id);
      return from(withDoc(f.doc, conn, f.ref, (l) => {
        if (!connected.has(conn.id)) return [];
        const { doc } = l;
        const replay = f.version === undefined ? undefined : opsSince(doc, f.version);
        if (replay !== undefined && isLeft(replay)) return [replyError(conn.id, replay.left, f.ref)];
        const content = replay === undefined ? doc.content.toDelta() : undefined;
        const tooLarge = content === undefined ? undefined : snapshotTooLarge(content, deps.maxSnapshotBytes);
        if (tooLarge !== undefined) return [replyError(conn.id, tooLarge, f.ref)];
        const effects: Effect[] = [];
        if (!isOpen(conn.id, f.doc)) {
          effects.push(subscribe(conn.id, docTopic(f.doc)));
          let mine = opened.get(conn.id);
          if (mine === undefined) opened.set(conn.id, (mine = new Set()));
          mine.add(f.doc);
          l.readers.add(conn.id);
        }
        if (replay === undefined) {
          effects.push(send(conn.id, withRef({ type: 'doc.snapshot', doc: f.doc, version: doc.version, content }, f.ref)));
        } else {
          const base = f.version as number;
          replay.right.forEach((a, i) => effects.push(send(conn.id, opFrame(f.doc, base + i + 1, a))));
          effects.push(send(conn.id, withRef({ type: 'doc.opened', doc: f.doc, version: doc.version }, f.ref)));
        }
        return whenCommitted(l, doc.version, conn.id, f.ref, effects);
      })).pipe(finalize(() => !already && opening.done(conn.id)));
    };

    const settled = (id: string, l: Live, version: number, applied: Applied, sender: Conn, ref: DocFrame['ref']) =>
      (result: Either<ProtocolError, unknown>): Effect[] => {
        const waiting = l.waiting.get(version) ?? [];
        l.waiting.delete(version);
        if (isLeft(result)) {
          l.stale = true;
          const failed = [replyError(sender.id, result.left, ref), ...waiting.map((w) => replyError(w.conn, result.left, w.ref))];
          for (const list of l.waiting.values()) failed.push(...list.map((w) => replyError(w.conn, result.left, w.ref)));
          l.waiting.clear();
          return failed;
        }
        l.committed = version;
        const effects = [
          send(sender.id, applied.id === undefined ? { type: 'doc.ack', ref, doc: id, version } : { type: 'doc.ack', ref, doc: id, version, id: applied.id }),
          publish(docTopic(id), opFrame(id, version, applied), sender.id),
          ...waiting.flatMap((w) => w.effects),
        ];
        forget(id, l);
        return effects;
      };

    const op = (conn: Conn, f: FrameOf<'doc.op'>): ObservableInput<Out> => {
      const refused = forbidden(conn, { on: 'doc', doc: f.doc, write: true }, 'doc') ?? (isOpen(conn.id, f.doc) ? undefined : notOpen(f.doc));
      if (refused !== undefined) return [replyError(conn.id, refused, f.ref)];
      const delta = parseDelta(f.op, 'op');
      if (isLeft(delta)) return [replyError(conn.id, delta.left, f.ref)];
      return withDoc(f.doc, conn, f.ref, (l) => apply(l, conn, f, delta.right));
    };

    const apply = (l: Live, conn: Conn, f: FrameOf<'doc.op'>, delta: Delta): Out[] => {
      const result = submit(l.doc, f.version, delta, conn.user, f.id, deps.docChars);
      if (isLeft(result)) return [replyError(conn.id, result.left, f.ref)];
      const { version, op: applied, duplicate } = result.right;
      if (duplicate) {
        return whenCommitted(l, version, conn.id, f.ref, [send(conn.id, { type: 'doc.ack', ref: f.ref, doc: f.doc, version, id: f.id })]);
      }
      const a: Applied = f.id === undefined ? { op: applied, user: conn.user } : { op: applied, user: conn.user, id: f.id };
      const outs: Out[] = [pending({ kind: 'docOp', doc: f.doc, version, op: applied, user: conn.user, id: f.id, at: scheduler.now() }, settled(f.doc, l, version, a, conn, f.ref))];
      if (version % deps.snapshotEvery === 0) outs.push(pending({ kind: 'docSnapshot', doc: f.doc, version, content: l.doc.content.toDelta() }, () => []));
      return outs;
    };

    const cursor = (conn: Conn, f: FrameOf<'doc.cursor'>): ObservableInput<Out> => {
      // A read-only reader's cursor is not relayed.
      const refused = forbidden(conn, { on: 'doc', doc: f.doc, write: true }, 'doc') ?? (isOpen(conn.id, f.doc) ? undefined : notOpen(f.doc));
      if (refused !== undefined) return [replyError(conn.id, refused, f.ref)];
      return withDoc(f.doc, conn, f.ref, (l) => {
        const range = transformCursor(l.doc, f.version, f.range);
        if (isLeft(range)) return [replyError(conn.id, range.left, f.ref)];
        return [publish(docTopic(f.doc), { type: 'doc.cursor', doc: f.doc, user: conn.user, range: range.right }, conn.id)];
      });
    };

    const handle = ({ conn, frame: f }: DocEvent): ObservableInput<Out> => {
      switch (f.type) {
        case 'doc.open':
          return open(conn, f);
        case 'doc.op':
          return op(conn, f);
        case 'doc.cursor':
          return cursor(conn, f);
        case 'doc.close': {
          const was = isOpen(conn.id, f.doc);
          close(conn.id, f.doc);
          const reply = send(conn.id, withRef({ type: 'doc.closed', doc: f.doc }, f.ref));
          return was ? [unsubscribe(conn.id, docTopic(f.doc)), reply] : [reply];
        }
      }
    };

    // Socket lifecycle: a closed socket closes its documents; a refreshed token that no
    // longer lets it read one closes that one (and tells it).
    const lifecycle$ = inbound$.pipe(
      filter((e) => e.kind !== 'frame'),
      mergeMap((e): Effect[] => {
        if (e.kind === 'open') connected.add(e.conn.id);
        else if (e.kind === 'close') {
          connected.delete(e.conn.id);
          for (const doc of opened.get(e.conn.id) ?? []) close(e.conn.id, doc);
          opened.delete(e.conn.id);
        } else if (e.kind === 'access') {
          const unreadable = [...(opened.get(e.conn.id) ?? [])].filter((doc) => forbidden(e.conn, { on: 'doc', doc, write: false }, 'doc') !== undefined);
          for (const doc of unreadable) close(e.conn.id, doc);
          return unreadable.flatMap((doc) => [unsubscribe(e.conn.id, docTopic(doc)), send(e.conn.id, { type: 'doc.closed', doc })]);
        }
        return [];
      }),
    );

    // One queue per document; a queue idle for `idleMs` ends (a later event starts a new one).
    const perDoc$ = inbound$.pipe(
      filter(isDocFrame),
      groupBy((e) => e.frame.doc, { duration: (g) => g.pipe(startWith(null), switchMap(() => timer(deps.idleMs, scheduler))) }),
      mergeMap((group) => group.pipe(concatMap((e) => from(guarded((ev) => handle(ev as DocEvent))(e))))),
    );

    return merge(lifecycle$, perDoc$);
  });

/** `too_large` when the snapshot's JSON passes `max` bytes (0: no limit). Formats can make even a short document heavy, so every snapshot is measured: an open costs one more pass over the document. */
const snapshotTooLarge = (content: Delta, max: number): ProtocolError | undefined => {
  if (max === 0) return undefined;
  const size = Buffer.byteLength(JSON.stringify(content));
  return size <= max ? undefined : err('too_large', `the document's snapshot is ${size} bytes, over the ${max} one frame may carry to a socket`, 'doc');
};

const notOpen = (doc: string) => err('not_open', `open doc ${doc} first`, 'doc');
