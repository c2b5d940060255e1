// CPU profiles for the benchmarks' explanations: this process's main thread over the
// measured window only (through the inspector, so loading the trace and building frames
// stay out of it), and summaries of `node --cpu-prof` files (the server's main thread and
// its writer thread) through perf/chat/profile-top.
import fs from 'fs';
import path from 'path';
import { Session } from 'inspector';
import { format, summarize } from '../chat/profile-top';

/** Starts profiling this thread; the returned function stops and writes `file`. */
export const profileWindow = async (file: string): Promise<() => Promise<string>> => {
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  return async () => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    session.disconnect();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(profile));
    return file;
  };
};

/** The `.cpuprofile` files in `dir`, largest sampled time first, summarized. */
export const summarizeDir = (dir: string, top = 15): { file: string; text: string; totalMs: number }[] => {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => {
      const s = summarize(path.join(dir, f), top);
      return { file: path.join(dir, f), text: format(s), totalMs: s.totalMs };
    });
};
