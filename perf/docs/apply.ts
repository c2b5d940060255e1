// The document domain's share of an op: `submit` (transform, fit check, apply, keep) on
// the B4 editing trace and on a long formatted document, against quill-delta's compose
// of a whole-document snapshot. Prints one JSON line per variant.
//   npm run bench:docs:apply -- [trace.json.gz]
import { isDeepStrictEqual } from 'node:util';
import Delta from 'quill-delta';
import { isLeft } from 'fp-ts/Either';
import { Doc, loadDoc, snapshot, submit } from '../../src/domain/docs';
import { transformAgainst } from '../../src/domain/ot';
import { seeded } from '../../spec/support/random';
import { deltaOf, loadTrace, patchesOf } from './trace';

// Without an argument, the trace beside the repository (../shared/data/…).
const trace = loadTrace(process.argv[2]);

const report = (variant: string, ops: number, ms: number, extra: Record<string, unknown> = {}) => {
  console.log(JSON.stringify({ variant, ops, ms: Math.round(ms), opsPerSec: Math.round((ops / ms) * 1000), ...extra }));
  return (ops / ms) * 1000;
};

const time = (f: () => void): number => {
  const start = performance.now();
  f();
  return performance.now() - start;
};

const plain = (d: Delta): string => d.ops.map((op) => (typeof op.insert === 'string' ? op.insert : '')).join('');

const submitAll = (doc: Doc, ops: readonly Delta[]) => {
  for (const op of ops) {
    const r = submit(doc, doc.version, op);
    if (isLeft(r)) throw new Error(r.left.message);
  }
};

const composeAll = (start: Delta, ops: readonly Delta[]): Delta => ops.reduce((d, op) => d.compose(op), start);

// ---- B4: 259,778 single-character edits of a plain-text paper. ----
const traceOps = patchesOf(trace).map(deltaOf);
const start = new Delta().insert(trace.startContent);

const doc = loadDoc('b4', 0, start, []);
const docMs = time(() => submitAll(doc, traceOps));
report('b4/submit', traceOps.length, docMs, { ok: plain(snapshot(doc).content) === trace.endContent });

let composed = start;
const composeMs = time(() => {
  composed = composeAll(start, traceOps);
});
report('b4/compose', traceOps.length, composeMs, { ok: plain(composed) === trace.endContent });

// What a late op costs on top: one transform over one committed op.
const transformMs = time(() => {
  for (let i = 1; i < traceOps.length; i++) transformAgainst(traceOps[i - 1], traceOps[i]);
});
report('b4/transform-over-one', traceOps.length - 1, transformMs);

// ---- A long formatted document: the paper (or `copies` of it) with every other word bold. ----
// Single-character edits at random places: type, delete, or toggle bold on one character.
const randomEdits = (length: number, count: number): Delta[] => {
  const random = seeded(42);
  const edits: Delta[] = [];
  while (edits.length < count) {
    const r = random();
    const pos = Math.floor(random() * length);
    if (r < 0.6) {
      edits.push(new Delta().retain(pos).insert('x'));
      length++;
    } else if (r < 0.9) {
      edits.push(new Delta().retain(pos).delete(1));
      length--;
    } else edits.push(new Delta().retain(pos).retain(1, { bold: random() < 0.5 ? true : null }));
  }
  return edits;
};

const formattedVariant = (copies: number, composed: number) => {
  const words = trace.endContent.repeat(copies).split(/(\s+)/);
  const formatted = words.reduce((d, part, i) => d.insert(part, i % 4 === 0 ? { bold: true } : undefined), new Delta());
  const edits = randomEdits(formatted.length(), 200_000);
  const name = `formatted-x${copies}`;
  const shape = { chars: formatted.length(), docOps: formatted.ops.length };

  const doc = loadDoc(name, 0, formatted, []);
  const submitRate = report(`${name}/submit`, edits.length, time(() => submitAll(doc, edits)), shape);

  let result = formatted;
  const composeMs = time(() => {
    result = composeAll(formatted, edits.slice(0, composed));
  });
  const check = loadDoc('check', 0, formatted, []);
  submitAll(check, edits.slice(0, composed));
  const ok = isDeepStrictEqual(snapshot(check).content.ops, result.ops);
  const composeRate = report(`${name}/compose`, composed, composeMs, { ...shape, ok });
  console.log(JSON.stringify({ variant: `${name}/ratio`, submitOverCompose: Math.round(submitRate / composeRate) }));
};

formattedVariant(1, 2_000);
formattedVariant(8, 250);
