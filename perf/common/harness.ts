// What every bench does around its measurements: progress on stderr (none with
// --json-only), one JSON line per result on stdout, every child process killed by its own
// handle and the temp dir removed whatever happens (exit, SIGINT, SIGTERM), and a
// deadline (--max-seconds) at which it gives up.
import { ChildProcess } from 'child_process';
import fs from 'fs';

export interface HarnessOptions {
  /** "chat", "docs", …: the `bench` field of every JSON line. */
  readonly bench: string;
  readonly jsonOnly: boolean;
  readonly maxSeconds: number;
  /** Removed on the way out. */
  readonly tmp: string;
  /** At the deadline, before the bench exits: reports what was measured so far. */
  readonly onTimeout?: () => void;
}

export interface Harness {
  readonly say: (s: string) => void;
  readonly emit: (o: Record<string, unknown>) => void;
  /** Registers a child so that it is killed whatever happens. */
  readonly track: (p: ChildProcess) => void;
  /** Runs the bench, then exits: with process.exitCode (0 unless the bench set it), 1 if it threw. */
  readonly run: (main: () => Promise<void>) => void;
}

export const startHarness = (o: HarnessOptions): Harness => {
  const children = new Set<ChildProcess>();
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    fs.rmSync(o.tmp, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => {
      cleanup();
      process.exit(130);
    });
  const deadline = setTimeout(() => {
    process.stderr.write(`bench:${o.bench}: gave up after ${o.maxSeconds} s (--max-seconds)${o.onTimeout ? '; what was measured:' : ''}\n`);
    o.onTimeout?.();
    cleanup();
    process.exit(2);
  }, o.maxSeconds * 1000);
  deadline.unref();

  return {
    say: (s) => {
      if (!o.jsonOnly) process.stderr.write(s + '\n');
    },
    emit: (line) => process.stdout.write(JSON.stringify({ bench: o.bench, ...line }) + '\n'),
    track: (p) => {
      children.add(p);
      p.on('exit', () => children.delete(p));
    },
    run: (main) =>
      void main().then(
        () => process.exit(),
        (e) => {
          process.stderr.write(`bench:${o.bench} failed: ${(e as Error).stack ?? e}\n`);
          process.exit(1);
        },
      ),
  };
};
