// The OT rules of collaborative documents: how an op made on an older version is
// transformed and applied, which versions can still be caught up, where cursors move.
import Delta from 'quill-delta';
import { Either, isLeft, left, right } from 'fp-ts/Either';
import { DocContent } from './doc-content';
import { ProtocolError, err } from './errors';
import { transformAgainst } from './ot';

/** Ops kept per document to transform late ops and catch reconnecting clients up. */
export const DEFAULT_KEEP = 1000;

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
  readonly recent: Delta[];
  readonly keep: number;
}

export interface Committed {
  readonly version: number;
  /** The op as applied: transformed to the version before `version`. */
  readonly op: Delta;
}

export interface Range {
  readonly index: number;
  readonly length: number;
}

/** The version before the first retained op: ops made on an older one can't be transformed. */
export const oldest = (doc: Doc): number => doc.version - doc.recent.length;

/** The ops committed after version `v`, in order. */
export const opsSince = (doc: Doc, v: number): Either<ProtocolError, readonly Delta[]> =>
  v > doc.version ? left(err('bad_version', `version ${v} is ahead of the document's ${doc.version}`))
  : v < oldest(doc) ? left(err('stale_version', `version ${v} is older than the oldest kept, ${oldest(doc)}`))
  : right(doc.recent.slice(v - oldest(doc)));

const commit = (doc: Doc, op: Delta): Committed => {
  doc.content.apply(op);
  doc.recent.push(op);
  if (doc.recent.length > doc.keep) doc.recent.shift();
  doc.version += 1;
  return { version: doc.version, op };
};

// Plain control flow rather than pipe/map/chain: this runs once per op of every editor,
// and fp-ts's curried combinators cost more than the rest of it (measured: 2–4× the whole submit).
/**
 * Transforms `op`, made on version `base`, over every op committed since, and applies it
 * to `doc` in place. On any error the document is untouched.
 */
export const submit = (doc: Doc, base: number, op: Delta): Either<ProtocolError, Committed> => {
  const since = opsSince(doc, base);
  if (isLeft(since)) return since;
  const transformed = since.right.reduce((o, committed) => transformAgainst(committed, o), op);
  if (!doc.content.fits(transformed)) {
    return left(err('bad_request', `the op does not fit the document (length ${doc.content.length()}): it retains or deletes past its end`, 'op'));
  }
  return right(commit(doc, transformed));
};

/** A cursor range made on version `base`, moved to the latest version and kept inside the document. */
export const transformCursor = (doc: Doc, base: number, range: Range): Either<ProtocolError, Range> => {
  const since = opsSince(doc, base);
  if (isLeft(since)) return since;
  let start = range.index;
  let end = range.index + range.length;
  for (const op of since.right) {
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
export const loadDoc = (id: string, snapshotVersion: number, snapshot: Delta, opsAfter: readonly Delta[], keep = DEFAULT_KEEP): Doc => {
  const content = new DocContent(snapshot);
  opsAfter.forEach((op, i) => {
    if (!content.fits(op)) throw new Error(`doc ${id}: stored op ${snapshotVersion + i + 1} does not apply to its document`);
    content.apply(op);
  });
  return { id, version: snapshotVersion + opsAfter.length, content, recent: opsAfter.slice(Math.max(0, opsAfter.length - keep)), keep };
};

export const snapshot = (doc: Doc): { readonly version: number; readonly content: Delta } => ({
  version: doc.version,
  content: doc.content.toDelta(),
});
