// A document's content, laid out so that applying a change costs the region it touches
// plus a logarithm, not the document: quill-delta's `compose` walks (and deep-clones)
// every op of the document, which a long formatted document cannot afford per keystroke.
//
// Layout: the document is a sequence of pieces (a run of text with one set of formats,
// or one embed), grouped into chunks of a few dozen pieces. A Fenwick tree over the chunk
// lengths finds the chunk holding a position in O(log chunks); inside a chunk, a short
// linear scan finds the piece. Pieces hold at most `pieceChars` characters, so an edit
// copies little text. Chunks that grow past `chunkPieces` are split, chunks that shrink
// under a quarter of it are merged with a neighbour; either shifts the chunk array and
// rebuilds the tree (O(chunks)), which happens once per many edits of a chunk.
import Delta, { AttributeMap, Op } from 'quill-delta';

type Format = string | number | boolean;
/** Formats of a piece: never empty, never null-valued, never mutated once made. */
type Formats = Readonly<Record<string, Format>>;
type Embed = Readonly<Record<string, unknown>>;

interface Piece {
  insert: string | Embed;
  attributes: Formats | undefined;
}

interface Chunk {
  pieces: Piece[];
  length: number;
}

export interface ContentLimits {
  /** The longest text run kept in one piece: an edit copies at most this much text. */
  readonly pieceChars: number;
  /** Pieces in a chunk before it is split; a chunk under a quarter of this is merged. */
  readonly chunkPieces: number;
}

export const DEFAULT_LIMITS: ContentLimits = { pieceChars: 256, chunkPieces: 64 };

const lengthOf = (p: Piece): number => (typeof p.insert === 'string' ? p.insert.length : 1);

// Format values are primitives (see delta.ts), so `===` is the equality Delta.push uses.
const sameFormats = (a: Formats | undefined, b: Formats | undefined): boolean => {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
};

/**
 * Delta.compose's rule for formats on a document: a change's value replaces, null removes.
 * Maps are made without a prototype, so no format name can collide with Object's members.
 */
const composeFormats = (base: Formats | undefined, change: AttributeMap | undefined): Formats | undefined => {
  if (change === undefined) return base;
  const out: Record<string, Format> = Object.create(null);
  if (base !== undefined) Object.assign(out, base);
  for (const key of Object.keys(change)) {
    const value = change[key];
    if (value === null) delete out[key];
    else if (value !== undefined) out[key] = value as Format;
  }
  if (Object.keys(out).length === 0) return undefined;
  return sameFormats(base, out) ? base : out;
};

const mergeable = (a: Piece, b: Piece, pieceChars: number): boolean =>
  typeof a.insert === 'string' && typeof b.insert === 'string' &&
  a.insert.length + b.insert.length <= pieceChars && sameFormats(a.attributes, b.attributes);

/** Merges neighbours among `pieces[from..to]` where they fit in one piece. */
const compact = (pieces: Piece[], from: number, to: number, pieceChars: number): void => {
  const first = Math.max(from, 0);
  const last = Math.min(to, pieces.length - 1);
  let w = first;
  for (let r = first + 1; r <= last; r++) {
    const a = pieces[w];
    const b = pieces[r];
    if (mergeable(a, b, pieceChars)) pieces[w] = { insert: (a.insert as string) + (b.insert as string), attributes: a.attributes };
    else pieces[++w] = b;
  }
  if (last > w) pieces.splice(w + 1, last - w);
};

/** Splits the piece straddling `offset`; returns the index of the first piece at or after it. */
const cut = (pieces: Piece[], offset: number): number => {
  let at = 0;
  for (let k = 0; k < pieces.length; k++) {
    if (at === offset) return k;
    const p = pieces[k];
    const len = lengthOf(p);
    if (offset < at + len) {
      const text = p.insert as string; // only text is longer than 1
      const inner = offset - at;
      pieces.splice(k, 1, { insert: text.slice(0, inner), attributes: p.attributes }, { insert: text.slice(inner), attributes: p.attributes });
      return k + 1;
    }
    at += len;
  }
  return pieces.length;
};

const grow = (p: Piece, inner: number, text: string, formats: Formats | undefined, pieceChars: number): boolean => {
  if (typeof p.insert !== 'string' || p.insert.length + text.length > pieceChars || !sameFormats(p.attributes, formats)) return false;
  p.insert = p.insert.slice(0, inner) + text + p.insert.slice(inner);
  return true;
};

/** Typing's fast path: puts `text` into a run with the same formats at `offset`, if it has room. */
const extend = (pieces: Piece[], offset: number, text: string, formats: Formats | undefined, pieceChars: number): boolean => {
  let at = 0;
  for (let k = 0; k < pieces.length; k++) {
    const len = lengthOf(pieces[k]);
    if (offset <= at + len) {
      // The piece ending at `offset`, else the one starting there.
      return grow(pieces[k], offset - at, text, formats, pieceChars) ||
        (offset === at + len && k + 1 < pieces.length && grow(pieces[k + 1], 0, text, formats, pieceChars));
    }
    at += len;
  }
  return false;
};

const removeRange = (pieces: Piece[], offset: number, count: number, pieceChars: number): void => {
  let at = 0;
  let k = 0;
  while (at + lengthOf(pieces[k]) <= offset) at += lengthOf(pieces[k++]);
  const p = pieces[k];
  const inner = offset - at;
  if (typeof p.insert === 'string' && inner + count <= p.insert.length && count < p.insert.length) {
    p.insert = p.insert.slice(0, inner) + p.insert.slice(inner + count);
    return;
  }
  const from = cut(pieces, offset);
  const to = cut(pieces, offset + count);
  pieces.splice(from, to - from);
  compact(pieces, from - 1, from, pieceChars);
};

const formatRange = (pieces: Piece[], offset: number, count: number, change: AttributeMap, pieceChars: number): void => {
  const from = cut(pieces, offset);
  const to = cut(pieces, offset + count);
  for (let k = from; k < to; k++) pieces[k].attributes = composeFormats(pieces[k].attributes, change);
  compact(pieces, from - 1, to, pieceChars);
};

const toOp = (insert: string | Embed, attributes: Formats | undefined): Op =>
  attributes === undefined ? { insert } : { insert, attributes: { ...attributes } };

const copyInsert = (insert: string | Embed): string | Embed => (typeof insert === 'string' ? insert : structuredClone(insert));

/** Prefix sums of chunk lengths (a Fenwick tree): find and update in O(log chunks). */
class ChunkOffsets {
  private tree: number[] = [0];
  private top = 0;

  rebuild(chunks: readonly Chunk[]): void {
    const n = chunks.length;
    this.tree = new Array<number>(n + 1).fill(0);
    for (let i = 1; i <= n; i++) {
      this.tree[i] += chunks[i - 1].length;
      const parent = i + (i & -i);
      if (parent <= n) this.tree[parent] += this.tree[i];
    }
    this.top = n === 0 ? 0 : 2 ** Math.floor(Math.log2(n));
  }

  add(index: number, delta: number): void {
    for (let i = index + 1; i < this.tree.length; i += i & -i) this.tree[i] += delta;
  }

  /** The first chunk whose end is past `pos` (the chunk count when none is) and `pos` within it. */
  find(pos: number): { index: number; offset: number } {
    let index = 0;
    let before = 0;
    for (let step = this.top; step > 0; step >>= 1) {
      const next = index + step;
      if (next < this.tree.length && before + this.tree[next] <= pos) {
        index = next;
        before += this.tree[next];
      }
    }
    return { index, offset: pos - before };
  }
}

/**
 * A document's content; `apply` changes it in place. Changes are well-formed deltas (as
 * parseDelta admits). Nothing is shared with callers: formats and embeds are copied in and out.
 */
export class DocContent {
  private chunks: Chunk[];
  private readonly offsets = new ChunkOffsets();
  // Set when chunks were split or merged; the tree is rebuilt before its next use.
  private stale = false;
  private total = 0;

  /** `snapshot` is a document: inserts only. */
  constructor(snapshot: Delta = new Delta(), private readonly limits: ContentLimits = DEFAULT_LIMITS) {
    if (limits.pieceChars < 1 || limits.chunkPieces < 4) throw new RangeError('pieceChars must be ≥ 1 and chunkPieces ≥ 4');
    const pieces: Piece[] = [];
    for (const op of snapshot.ops) {
      if (op.insert === undefined) throw new Error('a document snapshot holds only inserts');
      const joint = pieces.length;
      for (const p of this.piecesOf(op.insert, composeFormats(undefined, op.attributes))) pieces.push(p);
      compact(pieces, joint - 1, joint, limits.pieceChars);
      this.total += Op.length(op);
    }
    this.chunks = this.chunked(pieces);
    if (this.chunks.length === 0) this.chunks.push({ pieces: [], length: 0 });
    this.offsets.rebuild(this.chunks);
  }

  length(): number {
    return this.total;
  }

  /**
   * Whether `change` applies: it retains and deletes within the document. Retaining an
   * embed with an object (Quill 2 tables) is not supported, so such a change does not fit.
   */
  fits(change: Delta): boolean {
    let base = 0;
    for (const op of change.ops) {
      if (typeof op.retain === 'object') return false;
      base += op.retain ?? op.delete ?? 0;
    }
    return base <= this.total;
  }

  /** Composes `change` into the content, as `content.compose(change)` would. */
  apply(change: Delta): void {
    if (!this.fits(change)) throw new RangeError(`the change does not fit a document of length ${this.total}`);
    let pos = 0;
    for (const op of change.ops) {
      if (op.insert !== undefined) pos += this.insert(pos, op.insert, composeFormats(undefined, op.attributes));
      else if (op.delete !== undefined) this.remove(pos, op.delete);
      else if (typeof op.retain === 'number') {
        if (op.attributes !== undefined) this.format(pos, op.retain, op.attributes);
        pos += op.retain;
      }
    }
  }

  /** The content as a canonical document delta: neighbouring text with equal formats is one op. */
  toDelta(): Delta {
    const ops: Op[] = [];
    let run: string[] = [];
    let runFormats: Formats | undefined;
    const flush = () => {
      if (run.length > 0) ops.push(toOp(run.join(''), runFormats));
      run = [];
    };
    for (const chunk of this.chunks) {
      for (const p of chunk.pieces) {
        if (typeof p.insert !== 'string') {
          flush();
          ops.push(toOp(copyInsert(p.insert), p.attributes));
          continue;
        }
        if (run.length > 0 && !sameFormats(runFormats, p.attributes)) flush();
        if (run.length === 0) runFormats = p.attributes;
        run.push(p.insert);
      }
    }
    flush();
    return new Delta(ops);
  }

  private insert(pos: number, insert: string | Embed, formats: Formats | undefined): number {
    const added = typeof insert === 'string' ? insert.length : 1;
    if (added === 0) return 0;
    const { index, offset } = this.locate(pos);
    const chunk = this.chunks[index];
    const { pieceChars } = this.limits;
    if (typeof insert !== 'string' || !extend(chunk.pieces, offset, insert, formats, pieceChars)) {
      const pieces = this.piecesOf(insert, formats);
      const at = cut(chunk.pieces, offset);
      // concat, not splice(...pieces): a long paste is more pieces than a call takes arguments.
      chunk.pieces = chunk.pieces.slice(0, at).concat(pieces, chunk.pieces.slice(at));
      compact(chunk.pieces, at - 1, at + pieces.length, pieceChars);
    }
    this.resize(index, added);
    this.settle(index, index);
    return added;
  }

  private remove(pos: number, count: number): void {
    this.eachChunk(pos, count, (chunk, index, offset, n) => {
      if (n === chunk.length) chunk.pieces = [];
      else removeRange(chunk.pieces, offset, n, this.limits.pieceChars);
      this.resize(index, -n);
    });
  }

  private format(pos: number, count: number, change: AttributeMap): void {
    this.eachChunk(pos, count, (chunk, _index, offset, n) => formatRange(chunk.pieces, offset, n, change, this.limits.pieceChars));
  }

  /** Calls `edit` on every chunk overlapping [pos, pos + count), then rebalances them. */
  private eachChunk(pos: number, count: number, edit: (chunk: Chunk, index: number, offset: number, n: number) => void): void {
    if (count <= 0) return;
    let { index, offset } = this.locate(pos);
    const first = index;
    for (let left = count; left > 0; index++, offset = 0) {
      const chunk = this.chunks[index];
      const n = Math.min(left, chunk.length - offset);
      edit(chunk, index, offset, n);
      left -= n;
    }
    this.settle(first, index - 1);
  }

  private resize(index: number, delta: number): void {
    this.chunks[index].length += delta;
    this.total += delta;
    if (!this.stale) this.offsets.add(index, delta);
  }

  /** The chunk holding `pos` (or ending at it, for the end of the document) and the offset in it. */
  private locate(pos: number): { index: number; offset: number } {
    if (this.stale) {
      this.offsets.rebuild(this.chunks);
      this.stale = false;
    }
    const found = this.offsets.find(pos);
    if (found.index < this.chunks.length) return found;
    const last = this.chunks.length - 1;
    return { index: last, offset: this.chunks[last].length };
  }

  /** Re-chunks `chunks[from..to]` if any is empty, too big or too small; a small rest joins a neighbour. */
  private settle(from: number, to: number): void {
    const { chunkPieces, pieceChars } = this.limits;
    const min = chunkPieces >> 2;
    const ok = (c: Chunk) => c.pieces.length <= chunkPieces && (c.pieces.length >= min || this.chunks.length === 1);
    if (from === to && ok(this.chunks[from])) return;
    const gather = () => this.chunks.slice(from, to + 1).flatMap((c) => c.pieces);
    let pieces = gather();
    const others = this.chunks.length - (to - from + 1);
    if (pieces.length > 0 && pieces.length < min && others > 0) {
      if (to + 1 < this.chunks.length) to++;
      else from--;
      pieces = gather();
    }
    compact(pieces, 0, pieces.length - 1, pieceChars);
    const rebuilt = this.chunked(pieces);
    if (rebuilt.length === 0 && others === 0) rebuilt.push({ pieces: [], length: 0 });
    this.chunks = this.chunks.slice(0, from).concat(rebuilt, this.chunks.slice(to + 1));
    this.stale = true;
  }

  /** Cuts pieces into chunks of about half the limit, leaving room to grow. */
  private chunked(pieces: Piece[]): Chunk[] {
    const { chunkPieces } = this.limits;
    const parts = pieces.length <= chunkPieces ? Math.min(pieces.length, 1) : Math.ceil(pieces.length / (chunkPieces >> 1));
    const chunks: Chunk[] = [];
    for (let p = 0; p < parts; p++) {
      const slice = pieces.slice(Math.floor((p * pieces.length) / parts), Math.floor(((p + 1) * pieces.length) / parts));
      chunks.push({ pieces: slice, length: slice.reduce((n, piece) => n + lengthOf(piece), 0) });
    }
    return chunks;
  }

  private piecesOf(insert: string | Embed, formats: Formats | undefined): Piece[] {
    if (typeof insert !== 'string') return [{ insert: copyInsert(insert), attributes: formats }];
    const { pieceChars } = this.limits;
    const pieces: Piece[] = [];
    for (let i = 0; i < insert.length; i += pieceChars) pieces.push({ insert: insert.slice(i, i + pieceChars), attributes: formats });
    return pieces;
  }
}
