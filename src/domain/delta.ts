// Client-sent Quill deltas, checked field by field so that a bad op is refused with the
// path of its first bad field before it reaches the OT rules. Only the shapes Quill
// sends are admitted: the OT and document code below relies on them.
import Delta, { AttributeMap, Op } from 'quill-delta';
import { Either, isLeft, left, right } from 'fp-ts/Either';
import { ProtocolError, err } from './errors';

/** Ops in one client delta. */
export const MAX_DELTA_OPS = 10_000;
/** Characters (UTF-16 units, as Quill counts them; an embed counts 1) inserted by one delta. */
export const MAX_DELTA_INSERT = 262_144;
/** Formats on one op, and the length of a string format's value (a link's URL, say). */
export const MAX_FORMATS = 16;
export const MAX_FORMAT_VALUE = 2048;
/** An embed's value, as JSON (an image's URL, a formula): its size in characters. */
export const MAX_EMBED_JSON = 8192;

const NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;
// quill-delta reads attribute maps through the prototype (`b[key] === undefined`), so a
// format named `constructor` or `toString` would be silently lost there.
const isName = (key: string): boolean => NAME.test(key) && !(key in Object.prototype);
const NAME_RULE = '1–64 characters of A-Za-z0-9_.:-, starting with a letter';

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);
const isCount = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0;

const describe = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
};

const refuse = (path: string, message: string): Either<ProtocolError, never> =>
  left(err('bad_request', `${path}: ${message}`, path));
const expected = (path: string, what: string, got: unknown) => refuse(path, `expected ${what}, got ${describe(got)}`);
// A field name is echoed in the path only when it is short enough to be one.
const unknownField = (path: string, key: string) =>
  key.length <= 64 ? refuse(`${path}.${key}`, 'unknown field') : refuse(path, `unknown field ${describe(key)}`);

const FORMAT_VALUE = 'a string, number, boolean or null';

const parseAttributes = (raw: unknown, path: string): Either<ProtocolError, AttributeMap | undefined> => {
  if (!isRecord(raw)) return expected(path, 'an object of formats', raw);
  if (Object.keys(raw).length > MAX_FORMATS) return refuse(path, `at most ${MAX_FORMATS} formats on one op`);
  const out: AttributeMap = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!isName(key)) return refuse(path, `format name ${describe(key)} is not ${NAME_RULE}`);
    const ok = value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
    if (!ok) return expected(`${path}.${key}`, FORMAT_VALUE, value);
    if (typeof value === 'string' && value.length > MAX_FORMAT_VALUE) return refuse(`${path}.${key}`, `a format's value has at most ${MAX_FORMAT_VALUE} characters`);
    out[key] = value;
  }
  return right(Object.keys(out).length > 0 ? out : undefined);
};

// An embed is `{type: value}`, e.g. `{"image":"https://…"}`; its value is opaque here.
const parseInsert = (raw: unknown, path: string): Either<ProtocolError, string | Record<string, unknown>> => {
  if (typeof raw === 'string') return raw.length > 0 ? right(raw) : expected(path, 'a non-empty string or an embed object', raw);
  if (!isRecord(raw)) return expected(path, 'a non-empty string or an embed object', raw);
  const keys = Object.keys(raw);
  if (keys.length !== 1) return refuse(path, `an embed has exactly one type, got ${keys.length}`);
  if (!isName(keys[0])) return refuse(path, `embed type ${describe(keys[0])} is not ${NAME_RULE}`);
  if (raw[keys[0]] === null) return expected(`${path}.${keys[0]}`, 'an embed value', null);
  if (JSON.stringify(raw[keys[0]]).length > MAX_EMBED_JSON) return refuse(`${path}.${keys[0]}`, `an embed's value is at most ${MAX_EMBED_JSON} characters of JSON`);
  return right({ [keys[0]]: raw[keys[0]] });
};

const parseOp = (raw: unknown, path: string): Either<ProtocolError, Op> => {
  if (!isRecord(raw)) return expected(path, 'an op object', raw);
  const keys = Object.keys(raw);
  const unknown = keys.find((k) => k !== 'insert' && k !== 'retain' && k !== 'delete' && k !== 'attributes');
  if (unknown !== undefined) return unknownField(path, unknown);
  const kinds = keys.filter((k) => k !== 'attributes');
  if (kinds.length !== 1) return refuse(path, `an op has exactly one of insert, retain, delete; got ${kinds.length}`);

  let attributes: AttributeMap | undefined;
  if ('attributes' in raw) {
    if (kinds[0] === 'delete') return refuse(`${path}.attributes`, 'a delete takes no attributes');
    const parsed = parseAttributes(raw.attributes, `${path}.attributes`);
    if (isLeft(parsed)) return parsed;
    attributes = parsed.right;
  }
  const withFormats = (op: Op): Op => (attributes === undefined ? op : { ...op, attributes });

  switch (kinds[0]) {
    case 'insert': {
      const insert = parseInsert(raw.insert, `${path}.insert`);
      return isLeft(insert) ? insert : right(withFormats({ insert: insert.right }));
    }
    case 'retain':
      // Quill 2 retains an embed with an object (table cells); no embed here has a
      // handler to compose or transform that with.
      if (isRecord(raw.retain)) return refuse(`${path}.retain`, 'retaining an embed with an object is not supported');
      return isCount(raw.retain) ? right(withFormats({ retain: raw.retain })) : expected(`${path}.retain`, 'a positive integer', raw.retain);
    default:
      return isCount(raw.delete) ? right({ delete: raw.delete }) : expected(`${path}.delete`, 'a positive integer', raw.delete);
  }
};

/** A client delta `{ops:[…]}`, rebuilt from its checked fields; `path` is where it sits in the frame. */
export const parseDelta = (raw: unknown, path: string): Either<ProtocolError, Delta> => {
  if (!isRecord(raw)) return expected(path, 'a delta {"ops":[…]}', raw);
  const extra = Object.keys(raw).find((k) => k !== 'ops');
  if (extra !== undefined) return unknownField(path, extra);
  const { ops } = raw;
  if (!Array.isArray(ops)) return expected(`${path}.ops`, 'an array of ops', ops);
  if (ops.length > MAX_DELTA_OPS) return refuse(`${path}.ops`, `at most ${MAX_DELTA_OPS} ops, got ${ops.length}`);
  const out: Op[] = [];
  let inserted = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = parseOp(ops[i], `${path}.ops.${i}`);
    if (isLeft(op)) return op;
    if (op.right.insert !== undefined) {
      inserted += Op.length(op.right);
      if (inserted > MAX_DELTA_INSERT) return refuse(`${path}.ops.${i}.insert`, `a delta inserts at most ${MAX_DELTA_INSERT} characters`);
    }
    out.push(op.right);
  }
  return right(new Delta(out));
};
