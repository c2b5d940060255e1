// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by
// module (package or source file), highest first.
//
//   node dist/perf/chat/profile-top.js /tmp/…/rusher-a.cpuprofile [top=25]
import fs from 'fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  readonly name: string;
  readonly ms: number;
  readonly pct: number;
}

const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/dist\//, '');

export const moduleOf = (url: string): string => {
  if (!url) return '(native/vm)';
  if (url.startsWith('node:')) return url;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  return shortUrl(url);
};

export const summarize = (file: string, top = 25): { totalMs: number; functions: Row[]; modules: Row[] } => {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; charge it to the sample before.
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0;
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + dt);
  }
  const fns = new Map<string, number>();
  const mods = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const name = `${functionName || '(anonymous)'}${url ? ` ${shortUrl(url)}:${lineNumber + 1}` : ''}`;
    fns.set(name, (fns.get(name) ?? 0) + us);
    const mod = url ? moduleOf(url) : functionName.startsWith('(') ? functionName : '(native/vm)';
    mods.set(mod, (mods.get(mod) ?? 0) + us);
    total += us;
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, pct: Math.round((us / total) * 1000) / 10 }));
  return { totalMs: Math.round(total / 1000), functions: rows(fns), modules: rows(mods) };
};

export const format = (s: ReturnType<typeof summarize>): string => {
  const lines = [`  total sampled ${s.totalMs} ms`, '  self time by function:'];
  for (const r of s.functions) lines.push(`    ${r.pct.toFixed(1).padStart(5)}%  ${String(r.ms).padStart(8)} ms  ${r.name}`);
  lines.push('  self time by module:');
  for (const r of s.modules) lines.push(`    ${r.pct.toFixed(1).padStart(5)}%  ${String(r.ms).padStart(8)} ms  ${r.name}`);
  return lines.join('\n');
};

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node dist/perf/chat/profile-top.js FILE.cpuprofile [top]\n');
    process.exit(2);
  }
  process.stdout.write(format(summarize(file, top ? Number(top) : 25)) + '\n');
}
