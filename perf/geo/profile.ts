// The server's `--cpu-prof` profiles (one a thread: the main thread, the store's
// writer thread), cut to the measured window and summarized by perf/chat/profile-top.
// V8 stamps samples in CLOCK_MONOTONIC µs, the clock of process.hrtime, so the window
// the bench measured in its own process can be cut out of the server's profile.
import fs from 'fs';
import path from 'path';
import { summarize } from '../chat/profile-top';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Keeps the samples taken in [fromUs, toUs]; writes the cut profile beside the original. */
const cut = (file: string, fromUs: number, toUs: number): string => {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const samples: number[] = [];
  const deltas: number[] = [];
  let t = p.startTime;
  let last = fromUs;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    if (t < fromUs || t > toUs) continue;
    samples.push(p.samples[i]);
    deltas.push(t - last);
    last = t;
  }
  const out = file.replace(/\.cpuprofile$/, '.window.cpuprofile');
  fs.writeFileSync(out, JSON.stringify({ ...p, startTime: fromUs, endTime: toUs, samples, timeDeltas: deltas }));
  return out;
};

/** A stage of the server's work: the samples under a function of this name in a file whose path ends so. */
export interface StageRule {
  readonly stage: string;
  readonly fn: string;
  readonly file?: string;
}

// What the main thread does for one location.update, by the function that starts each
// step. A sample goes to the innermost rule on its stack; samples under none are the
// plumbing between the steps (RxJS, the uWS callbacks, metrics).
export const MAIN_THREAD_STAGES: readonly StageRule[] = [
  { stage: 'garbage collection', fn: '(garbage collector)' },
  { stage: 'idle', fn: '(idle)' },
  { stage: 'decode (io-ts)', fn: 'decode', file: 'domain/protocol.js' },
  { stage: 'FenceIndex.containing (h3 + buckets + exact test)', fn: 'containing', file: 'domain/geo/index.js' },
  { stage: 'h3-js latLngToCell', fn: 'latLngToCell', file: 'h3-js.js' },
  { stage: 'transitions (locate)', fn: 'locate', file: 'domain/geo/transitions.js' },
  { stage: 'events to effects (tell)', fn: 'tell', file: 'streams/geofence.js' },
  { stage: 'batch to SQL rows + postMessage (store.write)', fn: 'write', file: 'io/store/index.js' },
  { stage: 'sends: JSON.stringify + uWS (gateway.run)', fn: 'run', file: 'io/gateway.js' },
];

/** Sampled time by stage, innermost matching rule first; percentages of the samples that are not idle. */
export const stages = (file: string, rules: readonly StageRule[]) => {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const match = (n: Node) => rules.find((r) => n.callFrame.functionName === r.fn && (r.file === undefined || n.callFrame.url.endsWith(r.file)));
  const stageOf = new Map<number, string>();
  const of = (id: number): string => {
    const known = stageOf.get(id);
    if (known !== undefined) return known;
    let stage = 'other: RxJS plumbing, uWS callbacks, metrics';
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const rule = match(byId.get(cur) as Node);
      if (rule) {
        stage = rule.stage;
        break;
      }
    }
    stageOf.set(id, stage);
    return stage;
  };
  const us = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const s = of(p.samples[i]);
    us.set(s, (us.get(s) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
  }
  const busy = [...us].filter(([s]) => s !== 'idle').reduce((a, [, v]) => a + v, 0);
  return [...us]
    .sort((a, b) => b[1] - a[1])
    .map(([stage, v]) => ({ stage, ms: Math.round(v / 1000), pctOfBusy: stage === 'idle' ? NaN : Math.round((v / busy) * 1000) / 10 }));
};

export interface ThreadProfile {
  readonly thread: string;
  readonly file: string;
  readonly summary: ReturnType<typeof summarize>;
  /** The main thread only: its time by stage of the update's path. */
  readonly stages?: ReturnType<typeof stages>;
}

/** Profiles written by the server's threads, main thread (thread id 0) first. */
export const windowProfiles = (dir: string, fromUs: number, toUs: number, top: number): ThreadProfile[] =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile') && !f.endsWith('.window.cpuprofile'))
    .sort()
    .map((f) => {
      // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile
      const threadId = Number(f.split('.')[4]);
      const file = cut(path.join(dir, f), fromUs, toUs);
      const main = threadId === 0;
      return { thread: main ? 'main' : `worker thread ${threadId} (the writer)`, file, summary: summarize(file, top), ...(main ? { stages: stages(file, MAIN_THREAD_STAGES) } : {}) };
    });
