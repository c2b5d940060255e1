// A real Redis for cluster tests (and bench:stores): Debian's redis-server on a free
// loopback port, by default without persistence, stopped after the suite.
import { ChildProcess, spawn } from 'child_process';
import { freePort } from './ports';

export interface RedisServer {
  readonly url: string;
  readonly proc: ChildProcess;
  stop(): Promise<void>;
}

const NO_PERSISTENCE = ['--save', '', '--appendonly', 'no'];

export const startRedis = async (executable: string, settings: readonly string[] = NO_PERSISTENCE): Promise<RedisServer> => {
  const port = await freePort();
  const proc: ChildProcess = spawn(executable, ['--port', String(port), '--bind', '127.0.0.1', ...settings], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10_000);
    proc.once('error', (e) => reject(new Error(`${executable} could not run: ${e.message}`)));
    proc.stdout!.on('data', () => {
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    url: `redis://127.0.0.1:${port}`,
    proc,
    stop: async () => {
      proc.kill('SIGTERM');
      await exited;
    },
  };
};
