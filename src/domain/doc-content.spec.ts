import Delta, { AttributeMap, Op } from 'quill-delta';
import { ContentLimits, DEFAULT_LIMITS, DocContent } from './doc-content';
import { Rng, int, pick, seeded } from '../../spec/support/random';


const text = (rng: Rng, n: number) => Array.from({ length: n }, () => pick(rng, ['a', 'b', 'c', ' ', '\n', 'é', '😀'])).join('');
const FORMATS: Record<string, readonly (string | number | boolean)[]> = { bold: [true], italic: [true], color: ['red', 'blue'], header: [1, 2], size: [10, 12] };
// Formats an insert may carry; now and then an explicit null or an empty map, which a
// document must not keep.
const insertFormats = (rng: Rng): AttributeMap | undefined => {
  const r = rng();
  if (r < 0.4) return undefined;
  if (r < 0.45) return {};
  const out: AttributeMap = {};
  for (const key of Object.keys(FORMATS)) if (rng() < 0.35) out[key] = rng() < 0.1 ? null : pick(rng, FORMATS[key]);
  return out;
};
// A format change: set some formats, remove others (null).
const formatChange = (rng: Rng): AttributeMap => {
  const out: AttributeMap = {};
  for (const key of Object.keys(FORMATS)) if (rng() < 0.4) out[key] = rng() < 0.4 ? null : pick(rng, FORMATS[key]);
  if (Object.keys(out).length === 0) out.bold = rng() < 0.5 ? true : null;
  return out;
};

/** A random change with 1–3 edits at increasing positions, within a document of `length`. */
const randomChange = (rng: Rng, length: number, target: number): Delta => {
  const change = new Delta();
  let pos = 0;
  for (let edits = int(rng, 1, 3); edits > 0; edits--) {
    const gap = int(rng, 0, length - pos);
    change.retain(gap);
    pos += gap;
    const left = length - pos;
    const r = rng();
    const shrink = length > target ? 0.2 : 0;
    if (r < 0.35 - shrink) {
      const n = rng() < 0.05 ? int(rng, 200, 1500) : int(rng, 1, 8);
      change.insert(rng() < 0.05 ? { image: `${n}.png` } : text(rng, n), insertFormats(rng));
    } else if (r < 0.7 && left > 0) {
      const n = Math.min(left, rng() < 0.05 ? int(rng, 100, 2000) : int(rng, 1, 10));
      change.delete(n);
      length -= n;
    } else if (left > 0) {
      const n = Math.min(left, rng() < 0.1 ? int(rng, 100, 3000) : int(rng, 1, 40));
      change.retain(n, formatChange(rng));
      pos += n;
    }
  }
  return change;
};

const randomDocument = (rng: Rng, length: number): Delta => {
  const doc = new Delta();
  while (doc.length() < length) {
    if (rng() < 0.02) doc.insert({ image: 'x.png' });
    else doc.insert(text(rng, int(rng, 1, 30)), insertFormats(rng));
  }
  return normalized(doc);
};

// What a document holds of an insert's formats: quill-delta keeps an insert's null or
// empty formats as given, a document drops them (they mean "no format").
const normalized = (d: Delta): Delta =>
  d.ops.reduce((out, op) => {
    const kept = Object.entries(op.attributes ?? {}).filter(([, v]) => v !== null);
    const { attributes: _, ...bare } = op;
    return out.push(kept.length > 0 ? { ...bare, attributes: Object.fromEntries(kept) } : bare);
  }, new Delta());

const TINY: ContentLimits = { pieceChars: 3, chunkPieces: 4 };

describe('DocContent', () => {
  describe.each([
    ['default limits', DEFAULT_LIMITS, [1, 2, 3]],
    ['tiny pieces and chunks', TINY, [4, 5, 6]],
  ] as const)('against quill-delta compose, %s', (_name, limits, seeds) => {
    it.each(seeds)('gives what compose gives after every step of a long random edit (seed %i)', (seed) => {
      const rng = seeded(seed);
      const target = limits === TINY ? 1500 : 6000;
      let oracle = randomDocument(rng, target);
      const content = new DocContent(oracle, limits);
      expect(content.toDelta()).toEqual(oracle);
      for (let step = 0; step < 2000; step++) {
        const change = rng() < 0.002 ? new Delta().delete(content.length()) : randomChange(rng, content.length(), target);
        expect(content.fits(change)).toBe(true);
        content.apply(change);
        oracle = oracle.compose(change);
        expect(content.length()).toBe(oracle.length());
        if (step % 25 === 0) expect(content.toDelta()).toEqual(normalized(oracle));
      }
      expect(content.toDelta()).toEqual(normalized(oracle));
    });
  });

  it('is canonical: neighbouring text with equal formats is one op, whatever the snapshot', () => {
    const content = new DocContent(new Delta([{ insert: 'ab' }, { insert: 'c' }, { insert: 'd', attributes: { bold: true } }, { insert: 'e', attributes: { bold: true } }]), TINY);
    expect(content.toDelta()).toEqual(new Delta([{ insert: 'abc' }, { insert: 'de', attributes: { bold: true } }]));
    content.apply(new Delta().retain(3).retain(2, { bold: null }));
    expect(content.toDelta()).toEqual(new Delta([{ insert: 'abcde' }]));
  });

  it('counts an embed as one character and never merges it', () => {
    const content = new DocContent();
    content.apply(new Delta().insert({ image: 'a' }).insert({ image: 'a' }).insert('x'));
    expect(content.length()).toBe(3);
    content.apply(new Delta().retain(1).delete(1));
    expect(content.toDelta()).toEqual(new Delta([{ insert: { image: 'a' } }, { insert: 'x' }]));
  });

  it('drops null and empty formats of an insert', () => {
    const content = new DocContent();
    content.apply(new Delta([{ insert: 'a', attributes: { bold: null, italic: true } }, { insert: 'b', attributes: {} }]));
    expect(content.toDelta()).toEqual(new Delta([{ insert: 'a', attributes: { italic: true } }, { insert: 'b' }]));
  });

  it('becomes empty and grows again', () => {
    const content = new DocContent(randomDocument(seeded(9), 2000), TINY);
    content.apply(new Delta().delete(content.length()));
    expect(content.length()).toBe(0);
    expect(content.toDelta()).toEqual(new Delta());
    content.apply(new Delta().insert('hi'));
    expect(content.toDelta()).toEqual(new Delta().insert('hi'));
  });

  it('refuses a change that retains or deletes past the end, before changing anything', () => {
    const content = new DocContent(new Delta().insert('abc', { bold: true }).insert('def'));
    const before = content.toDelta();
    for (const change of [new Delta().retain(7), new Delta().retain(6).retain(1, { bold: true }), new Delta().retain(2).insert('x').delete(5), new Delta().delete(7)]) {
      expect(content.fits(change)).toBe(false);
      expect(() => content.apply(change)).toThrow(RangeError);
      expect(content.toDelta()).toEqual(before);
      expect(content.length()).toBe(6);
    }
    expect(content.fits(new Delta().retain(3).delete(3).insert('xyz'))).toBe(true);
  });

  it('does not fit a retain of an embed object (Quill 2 tables), which it cannot compose', () => {
    const content = new DocContent(new Delta().insert({ table: {} }));
    expect(content.fits(new Delta([{ retain: { table: { rows: 1 } } } as Op]))).toBe(false);
  });

  it('refuses a snapshot that is not a document', () => {
    expect(() => new DocContent(new Delta().retain(1))).toThrow('only inserts');
  });

  it('shares nothing with its callers', () => {
    const content = new DocContent();
    const change = new Delta().insert('ab', { bold: true }).insert({ image: { src: 'a' } });
    content.apply(change);
    const expected = new Delta().insert('ab', { bold: true }).insert({ image: { src: 'a' } });
    const mutate = (d: Delta) => {
      (d.ops[0].attributes as AttributeMap).bold = 'mutated';
      (d.ops[1].insert as Record<string, { src: string }>).image.src = 'mutated';
    };
    mutate(change);
    expect(content.toDelta()).toEqual(expected);
    mutate(content.toDelta());
    expect(content.toDelta()).toEqual(expected);
  });

  it('treats format names on Object.prototype as ordinary names', () => {
    const content = new DocContent(new Delta().insert('ab'));
    content.apply(new Delta().retain(1, { constructor: 'x' }));
    expect(content.toDelta()).toEqual(new Delta().insert('a', { constructor: 'x' }).insert('b'));
  });
});
