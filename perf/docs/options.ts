// bench:docs options (`--name value` or `--name=value`); see bench.ts for what each does.
import path from 'path';
import type { ClientKind } from '../chat/wire';
import { DEFAULT_TRACE } from './trace';

export const VARIANTS = ['pipeline', 'websocket', 'sharedb'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface Options {
  readonly trace: string;
  readonly only: readonly Variant[];
  /** Replay only the first N edits everywhere (a quick run); Infinity: all. */
  readonly edits: number;
  readonly pipelineWindow: number;
  readonly warmup: number;
  readonly clients: number;
  readonly block: number;
  readonly strictEdits: number;
  readonly docs: number;
  readonly window: number;
  readonly sharedbOps: number;
  readonly sharedbSeconds: number;
  readonly client: ClientKind;
  readonly clientNice: number;
  readonly profile: boolean;
  readonly jsonOnly: boolean;
  readonly maxSeconds: number;
  readonly rusherMain: string;
  /** sqlite, postgres or a postgres:// URL (../common/store.ts). */
  readonly store: string;
}

export const parseOptions = (args: readonly string[], here: string): Options => {
  const given = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) given.set(a.slice(2, eq), a.slice(eq + 1));
    else if (args[i + 1] !== undefined && !args[i + 1].startsWith('--')) given.set(a.slice(2), args[++i]);
    else given.set(a.slice(2), 'true');
  }
  const known = new Set(['trace', 'only', 'edits', 'warmup', 'pipeline-window', 'clients', 'block', 'strict-edits', 'docs', 'window', 'sharedb-ops', 'sharedb-seconds', 'client', 'client-nice', 'profile', 'json-only', 'max-seconds', 'rusher-main', 'store']);
  for (const k of given.keys()) if (!known.has(k)) throw new Error(`unknown option --${k} (known: ${[...known].map((n) => `--${n}`).join(' ')})`);

  const str = (name: string, fallback: string) => given.get(name) ?? fallback;
  const count = (name: string, fallback: number, min = 1): number => {
    const raw = given.get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${raw}"`);
    return n;
  };
  // How many of the trace's edits: a count, or "all" (Infinity, cut to the trace's length).
  const edits = (name: string): number => (given.get(name) === 'all' ? Infinity : count(name, Infinity));
  const only = str('only', VARIANTS.join(',')).split(',').filter(Boolean);
  for (const v of only) if (!(VARIANTS as readonly string[]).includes(v)) throw new Error(`--only: unknown variant ${v} (${VARIANTS.join(', ')})`);
  const client = str('client', 'raw');
  if (client !== 'raw' && client !== 'ws') throw new Error('--client must be raw or ws');
  return {
    trace: path.resolve(str('trace', DEFAULT_TRACE)),
    only: only as Variant[],
    edits: edits('edits'),
    // Four of the server's commit batches (4,096): one being written, the next filling,
    // more being decoded, so neither thread waits on the other for want of ops.
    pipelineWindow: count('pipeline-window', 16_384),
    // Edits replayed on a separate document before the in-process clocks start (pipeline and ShareDB alike).
    warmup: count('warmup', 5000, 0),
    clients: count('clients', 4),
    // A turn of 256 edits takes the whole trace round the editors ~1,000 times in a few seconds.
    block: count('block', 256),
    // Strict round-robin is one commit round trip per edit: a prefix keeps it to seconds.
    strictEdits: count('strict-edits', 3000, 0),
    docs: count('docs', 4),
    window: count('window', 256),
    sharedbOps: edits('sharedb-ops'),
    // ShareDB needs ~80 s for the whole trace on a quiet host of this size, several times
    // that on a busy one; past the budget it stops and the comparison uses what it did.
    sharedbSeconds: count('sharedb-seconds', 240),
    client,
    clientNice: count('client-nice', 10, 0),
    profile: str('profile', 'false') !== 'false',
    jsonOnly: str('json-only', 'false') !== 'false',
    maxSeconds: count('max-seconds', 900),
    rusherMain: path.resolve(str('rusher-main', path.resolve(here, '../../src/main.js'))),
    store: str('store', 'sqlite'),
  };
};
