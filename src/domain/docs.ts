// The OT rules of collaborative documents: how an op made on an older version is
// transformed and applied, which versions can still be caught up, where cursors move.
import Delta from 'quill-delta';
import { Either, isLeft, left, right } from 'fp-ts/Either';
import { DocContent } from './doc-content';
import { ProtocolError, err } from './errors';
import { transformAgainst } from './ot';

/** Ops kept per document to transform late ops and catch reconnecting clients up. */
export const DEFAULT_KEEP = 1000;

/** An op as applied (transformed to the version before its own), with its author and the client's id for it. */
export interface Applied {
  readonly op: Delta;
  readonly user: string;
  readonly id?: string;
}

/**
 * A document's live state, owned by its one per-doc queue. `submit` changes it in place
 * (content, version, recent ops): copying a document per op would cost its length.
 */
export interface Doc {
  readonly id: string;
  /** Ops applied since the document was created; `content` is at this version. */
  version: number;
  readonly content: DocContent;
  /** The last ops, oldest first: `recent[i]` made version `oldest(doc) + i + 1`. */
  readonly recent: Applied[];
  /** The client ids of the recent ops, with their versions: a resent op is not applied twice. */
  readonly ids: Map<string, number>;
  readonly keep: number;
}

export interface Committed {
  readonly version: number;
  /** The op as applied: transformed to the version before `version`. */
  readonly op: Delta;
  /** A resend of an op among the recent ones (same id): nothing was applied, `version` is the original's. */
  readonly duplicate: boolean;
}

export interface Range {
  readonly index: number;
  readonly length: number;
}

/** The version before the first retained op: ops made on an older one can't be transformed. */
export const oldest = (doc: Doc): number => doc.version - doc.recent.length;

/** The ops committed after version `v`, in order. */
export const opsSince = (doc: Doc, v: number): Either<ProtocolError, readonly Applied[]> =>
  v > doc.version ? left(err('bad_version', `version ${v} is ahead of the document's ${doc.version}`))
  : v < oldest(doc) ? left(err('stale_version', `version ${v} is older than the oldest kept, ${oldest(doc)}`))
  : right(doc.recent.slice(v - oldest(doc)));

const keep = (doc: Doc, applied: Applied): void => {
  doc.recent.push(applied);
  if (applied.id !== undefined) doc.ids.set(applied.id, doc.version);
  if (doc.recent.length <= doc.keep) return;
  const dropped = doc.recent.shift() as Applied;
  if (dropped.id !== undefined && doc.ids.get(dropped.id) === oldest(doc)) doc.ids.delete(dropped.id);
};

/** How many characters `op` adds to a document it applies to (negative when it removes more). */
const growthOf = (op: Delta): number => {
  let n = 0;
  for (const o of op.ops) {
    if (o.insert !== undefined) n += typeof o.insert === 'string' ? o.insert.length : 1;
    else if (o.delete !== undefined) n -= o.delete;
  }
  return n;
};

const commit = (doc: Doc, applied: Applied): Committed => {
  doc.content.apply(applied.op);
  doc.version += 1;
  keep(doc, applied);
  return { version: doc.version, op: applied.op, duplicate: false };
};

// Plain control flow rather than pipe/map/chain: this runs once per op of every editor,
// and fp-ts's curried combinators cost more than the rest of it (measured: 2–4× the whole submit).
/**
 * Transforms `op`, made on version `base`, over every op committed since, and applies it
 * to `doc` in place. On any error the document is untouched.
 */
export const submit = (doc: Doc, base: number, op: Delta, user = '', id?: string, maxChars = 0): Either<ProtocolError, Committed> => {
  const original = id === undefined ? undefined : doc.ids.get(id);
  if (original !== undefined) return right({ version: original, op: doc.recent[original - oldest(doc) - 1].op, duplicate: true });
  const since = opsSince(doc, base);
  if (isLeft(since)) return since;
  let transformed = op;
  for (const committed of since.right) transformed = transformAgainst(committed.op, transformed);
  if (!doc.content.fits(transformed)) {
    return left(err('bad_request', `the op does not fit the document (length ${doc.content.length()}): it retains or deletes past its end`, 'op'));
  }
  // Only an op that grows the document is refused: one can always delete.
  const growth = growthOf(transformed);
  if (maxChars > 0 && growth > 0 && doc.content.length() + growth > maxChars) {
    return left(err('quota_exceeded', `a document holds at most ${maxChars.toLocaleString('en')} characters; this op would make it ${(doc.content.length() + growth).toLocaleString('en')}`, 'op'));
  }
  return right(commit(doc, id === undefined ? { op: transformed, user } : { op: transformed, user, id }));
};

/** A cursor range made on version `base`, moved to the latest version and kept inside the document. */
export const transformCursor = (doc: Doc, base: number, range: Range): Either<ProtocolError, Range> => {
  const since = opsSince(doc, base);
  if (isLeft(since)) return since;
  let start = range.index;
  let end = range.index + range.length;
  for (const { op } of since.right) {
    start = op.transformPosition(start);
    end = op.transformPosition(end);
  }
  const length = doc.content.length();
  start = Math.min(start, length);
  return right({ index: start, length: Math.min(end, length) - start });
};

/**
 * Rebuilds a document from the store: a snapshot at `snapshotVersion` and every op after
 * it, in order. The last `keep` of those ops are retained. Throws when a stored op does
 * not apply: the store is corrupt, which no client can answer for.
 */
export const loadDoc = (id: string, snapshotVersion: number, snapshot: Delta, opsAfter: readonly Applied[], keep = DEFAULT_KEEP): Doc => {
  const doc: Doc = { id, version: snapshotVersion, content: new DocContent(snapshot), recent: [], ids: new Map(), keep };
  for (const applied of opsAfter) {
    if (!doc.content.fits(applied.op)) throw new Error(`doc ${id}: stored op ${doc.version + 1} does not apply to its document`);
    commit(doc, applied);
  }
  return doc;
};

export const snapshot = (doc: Doc): { readonly version: number; readonly content: Delta } => ({
  version: doc.version,
  content: doc.content.toDelta(),
});
