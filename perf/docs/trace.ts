// The B4 editing trace (../shared/data/automerge-paper.json.gz, see its README): loading
// it, its edits as Quill deltas, and the text after the first n edits. Shared by the
// document benchmarks (perf/docs/, perf/doc-apply.ts).
import fs from 'fs';
import path from 'path';
import { gunzipSync } from 'zlib';
import Delta from 'quill-delta';

/** One patch: at `pos`, delete `del` characters, then insert `ins`. */
export type Patch = readonly [pos: number, del: number, ins: string];

export interface Trace {
  readonly startContent: string;
  readonly endContent: string;
  readonly txns: readonly { readonly patches: readonly Patch[] }[];
}

// Compiled, this file is dist/perf/docs/trace.js; run from source (jest), perf/docs/trace.ts.
// The shared data sits beside the repository.
const repo = path.resolve(__dirname, path.basename(path.resolve(__dirname, '../..')) === 'dist' ? '../../..' : '../..');
export const DEFAULT_TRACE = path.resolve(repo, '../shared/data/automerge-paper.json.gz');

export const loadTrace = (file: string = DEFAULT_TRACE): Trace => {
  if (!fs.existsSync(file)) throw new Error(`trace not found: ${file} (pass --trace PATH)`);
  const raw = fs.readFileSync(file);
  const text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return JSON.parse(text) as Trace;
};

/** Every patch in order, transactions flattened (in B4 each transaction holds one). */
export const patchesOf = (trace: Trace): Patch[] => trace.txns.flatMap((t) => t.patches);

/** A patch as the Quill delta an editor would send: retain to `pos`, insert, delete. */
export const deltaOf = ([pos, del, ins]: Patch): Delta => new Delta().retain(pos).insert(ins).delete(del);

/**
 * The text after the first `n` patches, by plain string splicing: no OT library is
 * involved, so it is an independent oracle for a prefix (the whole trace has `endContent`).
 */
export const textAfter = (trace: Trace, patches: readonly Patch[], n: number): string => {
  if (n >= patches.length) return trace.endContent;
  let s = trace.startContent;
  for (let i = 0; i < n; i++) {
    const [pos, del, ins] = patches[i];
    s = s.slice(0, pos) + ins + s.slice(pos + del);
  }
  return s;
};

/** The plain text of a document delta (B4 has no embeds or formats). */
export const plainText = (ops: readonly { readonly insert?: unknown }[]): string => {
  let s = '';
  for (const op of ops) if (typeof op.insert === 'string') s += op.insert;
  return s;
};

/** Where two texts first differ, for a failure message that can be acted on. */
export const firstDifference = (got: string, want: string): string => {
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  return `length ${got.length} vs ${want.length}, first difference at ${i}: got ${JSON.stringify(got.slice(i, i + 30))}, want ${JSON.stringify(want.slice(i, i + 30))}`;
};
