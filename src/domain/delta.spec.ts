import Delta from 'quill-delta';
import { isLeft, isRight } from 'fp-ts/Either';
import { MAX_DELTA_INSERT, MAX_DELTA_OPS, parseDelta } from './delta';

const refusal = (raw: unknown) => {
  const r = parseDelta(raw, 'op');
  if (!isLeft(r)) throw new Error(`expected a refusal, got ${JSON.stringify(r.right)}`);
  return r.left;
};

describe('parseDelta', () => {
  it('admits the ops Quill sends and rebuilds them from their fields', () => {
    const ops = [
      { retain: 3 },
      { retain: 2, attributes: { bold: true, color: null, size: 12, font: 'serif' } },
      { insert: 'hé' },
      { insert: { image: 'https://example.com/a.png' }, attributes: { width: '20' } },
      { insert: '\n', attributes: { header: 1 } },
      { delete: 4 },
    ];
    const r = parseDelta({ ops }, 'op');
    expect(r).toEqual({ _tag: 'Right', right: new Delta(ops) });
    if (isRight(r)) expect(r.right.ops[1]).not.toBe(ops[1]);
  });

  it('admits an empty delta', () => {
    expect(parseDelta({ ops: [] }, 'op')).toEqual({ _tag: 'Right', right: new Delta() });
  });

  it('drops an empty attributes object', () => {
    expect(parseDelta({ ops: [{ retain: 1, attributes: {} }] }, 'op')).toEqual({ _tag: 'Right', right: new Delta([{ retain: 1 }]) });
  });

  it.each([
    ['not an object', 'abc', 'op'],
    ['an array', [{ insert: 'a' }], 'op'],
    ['null', null, 'op'],
    ['an unknown field beside ops', { ops: [], v: 1 }, 'op.v'],
    ['ops missing', {}, 'op.ops'],
    ['ops not an array', { ops: { insert: 'a' } }, 'op.ops'],
    ['an op that is not an object', { ops: [{ insert: 'a' }, 7] }, 'op.ops.1'],
    ['an op with no kind', { ops: [{ attributes: { bold: true } }] }, 'op.ops.0'],
    ['an op with two kinds', { ops: [{ retain: 1 }, { insert: 'a', delete: 1 }] }, 'op.ops.1'],
    ['an op with an unknown field', { ops: [{ retain: 1, bold: true }] }, 'op.ops.0.bold'],
    ['an empty insert', { ops: [{ insert: '' }] }, 'op.ops.0.insert'],
    ['a numeric insert', { ops: [{ insert: 5 }] }, 'op.ops.0.insert'],
    ['an embed with two types', { ops: [{ insert: { image: 'a', video: 'b' } }] }, 'op.ops.0.insert'],
    ['an embed with no type', { ops: [{ insert: {} }] }, 'op.ops.0.insert'],
    ['an embed with a null value', { ops: [{ insert: { image: null } }] }, 'op.ops.0.insert.image'],
    ['an embed type on the prototype', { ops: [{ insert: { constructor: 'x' } }] }, 'op.ops.0.insert'],
    ['a zero retain', { ops: [{ retain: 0 }] }, 'op.ops.0.retain'],
    ['a negative retain', { ops: [{ retain: 2 }, { retain: 1 }, { insert: 'a' }, { retain: -1 }] }, 'op.ops.3.retain'],
    ['a fractional retain', { ops: [{ retain: 1.5 }] }, 'op.ops.0.retain'],
    ['a string retain', { ops: [{ retain: '3' }] }, 'op.ops.0.retain'],
    ['an unsafe retain', { ops: [{ retain: 2 ** 53 }] }, 'op.ops.0.retain'],
    ['a retain of an embed object', { ops: [{ retain: { table: {} } }] }, 'op.ops.0.retain'],
    ['a zero delete', { ops: [{ delete: 0 }] }, 'op.ops.0.delete'],
    ['a null delete', { ops: [{ delete: null }] }, 'op.ops.0.delete'],
    ['a delete with attributes', { ops: [{ delete: 1, attributes: { bold: true } }] }, 'op.ops.0.attributes'],
    ['attributes not an object', { ops: [{ retain: 1, attributes: ['bold'] }] }, 'op.ops.0.attributes'],
    ['a format with an object value', { ops: [{ retain: 1, attributes: { link: { href: 'x' } } }] }, 'op.ops.0.attributes.link'],
    ['a format with an array value', { ops: [{ insert: 'a', attributes: { list: ['x'] } }] }, 'op.ops.0.attributes.list'],
    ['a format named on the prototype', { ops: [{ retain: 1, attributes: { toString: true } }] }, 'op.ops.0.attributes'],
    ['a format named __proto__', { ops: [{ retain: 1, attributes: JSON.parse('{"__proto__":true}') }] }, 'op.ops.0.attributes'],
    ['a format name that is too long', { ops: [{ retain: 1, attributes: { ['b'.repeat(65)]: true } }] }, 'op.ops.0.attributes'],
    ['a format name with a space', { ops: [{ retain: 1, attributes: { 'font size': 3 } }] }, 'op.ops.0.attributes'],
  ])('refuses %s with bad_request at its path', (_name, raw, path) => {
    const e = refusal(raw);
    expect(e).toEqual({ code: 'bad_request', path, message: expect.stringContaining(`${path}: `) });
  });

  it('names the expected shape and what was sent', () => {
    expect(refusal({ ops: [{ retain: 1 }, { delete: -2 }] }).message).toBe('op.ops.1.delete: expected a positive integer, got -2');
  });

  it('roots paths where the caller says the delta sits', () => {
    const r = parseDelta({ ops: [{ retain: 0 }] }, 'content');
    expect(isLeft(r) && r.left.path).toBe('content.ops.0.retain');
  });

  it('does not echo a huge unknown field name as a path', () => {
    expect(refusal({ ops: [{ retain: 1, ['x'.repeat(1000)]: 1 }] }).path).toBe('op.ops.0');
  });

  it(`refuses more than ${MAX_DELTA_OPS} ops`, () => {
    const ops = Array.from({ length: MAX_DELTA_OPS + 1 }, () => ({ retain: 1 }));
    expect(refusal({ ops }).path).toBe('op.ops');
    expect(parseDelta({ ops: ops.slice(1) }, 'op')._tag).toBe('Right');
  });

  it(`refuses inserting more than ${MAX_DELTA_INSERT} characters, at the op that passes the limit`, () => {
    const half = 'a'.repeat(MAX_DELTA_INSERT / 2);
    expect(parseDelta({ ops: [{ insert: half }, { insert: { image: 'x' } }, { insert: half.slice(1) }] }, 'op')._tag).toBe('Right');
    expect(refusal({ ops: [{ insert: half }, { retain: 3 }, { insert: { image: 'x' } }, { insert: half }] }).path).toBe('op.ops.3.insert');
  });
});
