// The feeds benchmark: the real server (dist/src/main.js, the composition of src/main.ts)
// on a SQLite file made for it, loopback only, in one run:
//   data     10,000 users with 100 activities each (1,000,000 activities; 70 % followers,
//            20 % public, 10 % friends), each following 100 others at random (so ~100
//            followers each); `star` followed by 100,000 users; `reader` following 1,000.
//            Written straight into the migrated schema (minutes through the protocol).
//   posts    64 of those users post over 2 load processes, 16 unacked posts a socket,
//            for --duration s: committed posts/s (acked) and the ack latency; then an open
//            loop at --rate posts/s: ack p50/p99 at a steady rate.
//   fan-out  10,000 of star's followers online and subscribed over 4 load processes;
//            star posts --star-posts times, one every 50 ms: ack latency, and post →
//            feed.activity delivery latency at every one of the 10,000 sockets.
//   timeline `reader` reads its timeline (25 items) one read at a time over WebSocket: the
//            first page again and again, and paging back. Then, once the server has
//            stopped, in this process on the same file: the server's own read path
//            (the store's start-up load, then Timelines.page and the store's read of the
//            page's activities by id, no activity cache) beside the plain SQL a hand-built feed
//            would run (follows join activities, order by id desc, limit 25), prepared
//            once, given the index it wants (activities by actor, id), with its plan.
// One JSON line on stdout (progress on stderr).
//
//   npm run bench:feeds -- [--duration S (8)] [--rate N (5000)] [--star-posts N (100)]
//     [--online N (10000)] [--reads N (2000)] [--sql-reads N (200)] [--client-nice N (10)]
//     [--max-seconds S (600)] [--json-only]
import Database from 'better-sqlite3';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { performance } from 'perf_hooks';
import { knex } from 'knex';
import { knexConfig } from '../../knexfile';
import { argsOf } from '../common/args';
import { percentiles, round } from '../common/figures';
import { startHarness } from '../common/harness';
import { LoadProcess } from '../common/load-process';
import { cpuWindow, hostLoad, rssMB } from '../common/proc';
import { startServer, stopServer } from '../common/server';
import { openStore } from '../../src/io/store';
import { Graph } from '../../src/domain/feeds/graph';
import { Timelines } from '../../src/domain/feeds/pages';
import { ActivityIndex } from '../../src/domain/feeds/timeline';
import type { LoadCommand } from './load';

const { opt, num } = argsOf(process.argv.slice(2));
const O = {
  users: num('users', 10_000, 100),
  perUser: num('activities-per-user', 100, 1),
  follows: num('follows-per-user', 100, 1),
  starFollowers: num('star-followers', 100_000, 1),
  online: num('online', 10_000, 1),
  readerFollows: num('reader-follows', 1000, 1),
  durationMs: num('duration', 8, 1) * 1000,
  rate: num('rate', 5000, 1),
  starPosts: num('star-posts', 100, 1),
  reads: num('reads', 2000, 1),
  sqlReads: num('sql-reads', 200, 1),
  posters: 64,
  // Load processes run at a lower priority so that on a small shared host the server gets
  // a core when it wants one (in production the clients are elsewhere).
  clientNice: num('client-nice', 10),
  maxSeconds: num('max-seconds', 600, 10),
  jsonOnly: opt('json-only', 'false') === 'true',
};

const here = __dirname; // dist/perf/feeds
const root = path.resolve(here, '../../..');
const main = path.resolve(here, '../../src/main.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rusher-bench-feeds-'));
const { say, emit, track, run } = startHarness({ bench: 'feeds', jsonOnly: O.jsonOnly, maxSeconds: O.maxSeconds, tmp });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A seeded generator (mulberry32), so every run has the same graph. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const generate = async (file: string) => {
  const migrated = knex(knexConfig(file));
  await migrated.migrate.latest();
  await migrated.destroy();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const random = rng(1);
  const t0 = Date.now() - O.users * O.perUser;
  const act = db.prepare('insert into feed_activities (id, actor, verb, object, text, visibility, at) values (?, ?, ?, ?, ?, ?, ?)');
  const fol = db.prepare('insert or ignore into feed_follows (follower, followee, at) values (?, ?, ?)');
  db.transaction(() => {
    let id = 0;
    for (let round = 0; round < O.perUser; round++) {
      for (let u = 0; u < O.users; u++) {
        const r = random();
        id++;
        act.run(id, `u${u}`, 'post', `note:${id}`, `activity ${id} of u${u}`, r < 0.7 ? 'followers' : r < 0.9 ? 'public' : 'friends', t0 + id);
      }
    }
    for (let u = 0; u < O.users; u++) {
      for (let k = 0; k < O.follows; k++) {
        const v = Math.floor(random() * O.users);
        if (v !== u) fol.run(`u${u}`, `u${v}`, t0);
      }
    }
    for (let f = 0; f < O.starFollowers; f++) fol.run(`f${f}`, 'star', t0);
    const chosen = new Set<number>();
    while (chosen.size < Math.min(O.readerFollows, O.users)) chosen.add(Math.floor(random() * O.users));
    for (const u of chosen) fol.run('reader', `u${u}`, t0);
  })();
  db.close();
};

/** The server's timeline read in process: the index and graph as the server loads them, a page, its activities read by id. */
const rusherInProcess = async (file: string) => {
  const store = await openStore(file);
  try {
    const stored = await store.feeds(Date.now());
    const graph = new Graph(stored.follows, stored.blocks);
    const index = new ActivityIndex();
    for (const a of stored.activities) index.add(a.id, a.actor, a.visibility);
    const timelines = new Timelines(index, graph);
    const pageOnly: number[] = [];
    const withRead: number[] = [];
    let rows = 0;
    for (let i = 0; i < O.sqlReads; i++) {
      const t = performance.now();
      const page = timelines.page('reader', { limit: 25 });
      const t1 = performance.now();
      rows = (await store.activities(page.ids)).length;
      withRead.push(performance.now() - t);
      pageOnly.push(t1 - t);
    }
    return { rows, page: percentiles([Float64Array.from(pageOnly)], 3), withRead: percentiles([Float64Array.from(withRead)], 3) };
  } finally {
    await store.close();
  }
};

/** The plain query of a hand-built feed on the same file, with the index it needs, prepared once, timed per read. */
const plainSql = (file: string) => {
  const writable = new Database(file);
  writable.exec('create index if not exists feed_activities_actor_id on feed_activities (actor, id)');
  writable.close();
  const db = new Database(file, { readonly: true });
  const sql = 'select a.* from feed_follows f join feed_activities a on a.actor = f.followee where f.follower = ? order by a.id desc limit 25';
  const q = db.prepare(sql);
  const plan = (db.prepare(`explain query plan ${sql}`).all('reader') as { detail: string }[]).map((r) => r.detail);
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < O.sqlReads; i++) {
    const t = performance.now();
    rows = q.all('reader').length;
    times.push(performance.now() - t);
  }
  db.close();
  return { sql, plan, rows, ...percentiles([Float64Array.from(times)], 3) };
};

const start = (name: string) => LoadProcess.start<LoadCommand>(name, path.join(here, 'load.js'), O.clientNice, track);

run(async () => {
  const busy = await hostLoad();
  say(`host: ${busy} cores busy before the start; load average ${os.loadavg().map((x) => round(x, 1)).join(' ')}`);
  const dir = fs.mkdtempSync(path.join(tmp, 'run-'));
  const file = path.join(dir, 'feeds.db');
  let t = performance.now();
  await generate(file);
  const generateS = round((performance.now() - t) / 1000, 1);
  say(`data: ${O.users * O.perUser} activities, ${O.users * O.follows + O.starFollowers + O.readerFollows} follows written in ${generateS} s`);

  t = performance.now();
  const server = await startServer({ main, cwd: root, dir, name: 'feeds', env: { RUSHER_WORKERS: '1' }, track, readyTimeoutMs: 300_000 });
  const startS = round((performance.now() - t) / 1000, 1);
  const rssStart = rssMB(server.pid);
  say(`server: up in ${startS} s (activity index and graph loaded), RSS ${rssStart} MB`);

  // posts: closed loop, then open loop
  const posters = await Promise.all([0, 1].map((p) => start(`posters-${p}`)));
  const half = O.posters / 2;
  posters.forEach((p, i) => p.send({ cmd: 'connect', port: server.port, users: Array.from({ length: half }, (_, k) => `u${i * half + k}`), subscribe: false }));
  await Promise.all(posters.map((p) => p.next('connected', 60_000)));
  const cpu = cpuWindow(server.pid, new Set(server.threads));
  t = performance.now();
  posters.forEach((p) => p.send({ cmd: 'post', durationMs: O.durationMs, window: 16 }));
  const closed = await Promise.all(posters.map((p) => p.next<{ acks: number; latencies: Float64Array; errors: number; errorSample: string }>('posted', O.durationMs + 60_000)));
  const postWall = (performance.now() - t) / 1000;
  const postCpu = cpu();
  const acks = closed.reduce((a, r) => a + r.acks, 0);
  const postsPerS = round(acks / postWall);
  const closedLat = percentiles(closed.map((r) => r.latencies), 2);
  const usPerPost = (cores: number) => round((cores * postCpu.wallS * 1e6) / acks, 1);
  say(
    `posts: ${postsPerS}/s committed and acked (${acks} in ${round(postWall, 1)} s), ack p50 ${closedLat.p50} ms p99 ${closedLat.p99} ms with 16 in flight a socket; ` +
      `server main thread ${postCpu.mainThread} cores (${usPerPost(postCpu.mainThread)} µs a post; waiting for a core ${postCpu.mainThreadWaiting}), writer ${postCpu.writerThread} (${usPerPost(postCpu.writerThread)} µs), machine ${postCpu.machineBusy} cores busy`,
  );
  posters.forEach((p) => p.send({ cmd: 'post', durationMs: 5000, rate: O.rate }));
  const open = await Promise.all(posters.map((p) => p.next<{ acks: number; latencies: Float64Array; errors: number }>('posted', 60_000)));
  const openLat = percentiles(open.map((r) => r.latencies), 2);
  say(`posts at ${O.rate}/s: ack p50 ${openLat.p50} ms, p99 ${openLat.p99} ms (${openLat.n} acks)`);
  await Promise.all(posters.map((p) => p.stop()));

  // fan-out: 10,000 of star's followers online
  const followers = await Promise.all([0, 1, 2, 3].map((p) => start(`followers-${p}`)));
  const rssBefore = rssMB(server.pid);
  const per = Math.ceil(O.online / followers.length);
  followers.forEach((p, i) => p.send({ cmd: 'connect', port: server.port, users: Array.from({ length: Math.min(per, O.online - i * per) }, (_, k) => `f${i * per + k}`), subscribe: true }));
  await Promise.all(followers.map((p) => p.next('connected', 120_000)));
  const rssOnline = rssMB(server.pid);
  followers.forEach((p) => p.send({ cmd: 'listen' }));
  await Promise.all(followers.map((p) => p.next('listening', 10_000)));
  const star = await start('star');
  star.send({ cmd: 'connect', port: server.port, users: ['star'], subscribe: false });
  await star.next('connected', 10_000);
  const starAcks: number[] = [];
  for (let i = 0; i < O.starPosts; i++) {
    star.send({ cmd: 'postOne' });
    starAcks.push((await star.next<{ latency: number }>('postedOne', 10_000)).latency);
    await sleep(50);
  }
  await sleep(2000);
  followers.forEach((p) => p.send({ cmd: 'report' }));
  const reports = await Promise.all(followers.map((p) => p.next<{ delivered: Float64Array; errors: number; errorSample: string }>('report', 30_000)));
  const delivery = percentiles(reports.map((r) => r.delivered), 2);
  const starAck = percentiles([Float64Array.from(starAcks)], 2);
  say(`fan-out: ${delivery.n} deliveries of ${O.starPosts} posts to ${O.online} sockets (expected ${O.starPosts * O.online}): p50 ${delivery.p50} ms, p99 ${delivery.p99} ms; star's ack p99 ${starAck.p99} ms; server RSS ${rssBefore} → ${rssOnline} MB with them online`);
  await Promise.all([star, ...followers].map((p) => p.stop()));

  // timeline, beside the plain query
  const reader = await start('reader');
  reader.send({ cmd: 'connect', port: server.port, users: ['reader'], subscribe: false });
  await reader.next('connected', 10_000);
  reader.send({ cmd: 'timeline', n: O.reads, paging: false, limit: 25 });
  const first = await reader.next<{ latencies: Float64Array; items: number }>('timelined', 120_000);
  reader.send({ cmd: 'timeline', n: O.reads, paging: true, limit: 25 });
  const paging = await reader.next<{ latencies: Float64Array; items: number }>('timelined', 120_000);
  await reader.stop();
  const firstLat = percentiles([first.latencies.slice(10)], 3);
  const pagingLat = percentiles([paging.latencies], 3);
  say(`timeline over WebSocket: first page p50 ${firstLat.p50} ms p99 ${firstLat.p99} ms; paging back ${O.reads} pages (${paging.items} items) p50 ${pagingLat.p50} ms p99 ${pagingLat.p99} ms`);
  const exit = await stopServer(server);
  const own = await rusherInProcess(file);
  say(`the server's read path in process: page ${own.page.p50} ms p50, ${own.page.p99} ms p99; with the store's read of its activities ${own.withRead.p50} ms p50, ${own.withRead.p99} ms p99 (${own.rows} rows)`);
  const sql = plainSql(file);
  say(`plain SQL in process: p50 ${sql.p50} ms p99 ${sql.p99} ms (${sql.rows} rows); plan: ${sql.plan.join(' / ')}`);

  emit({
    hostBusyBeforeStart: busy,
    loadAverage: os.loadavg().map((x) => round(x, 2)),
    data: { activities: O.users * O.perUser, users: O.users, followsPerUser: O.follows, starFollowers: O.starFollowers, readerFollows: O.readerFollows, generateS },
    server: { startS, rssStartMB: rssStart, rssWithOnlineMB: rssOnline, rssPerOnlineKB: round(((rssOnline - rssBefore) * 1024) / O.online, 1), exit },
    posts: {
      perS: postsPerS,
      acks,
      ackP50Ms: closedLat.p50,
      ackP99Ms: closedLat.p99,
      mainThreadUsPerPost: usPerPost(postCpu.mainThread),
      writerThreadUsPerPost: usPerPost(postCpu.writerThread),
      mainThreadWaitingCores: postCpu.mainThreadWaiting,
      machineBusyCores: postCpu.machineBusy,
      errors: closed.reduce((a, r) => a + r.errors, 0),
    },
    postsAtRate: { rate: O.rate, ackP50Ms: openLat.p50, ackP99Ms: openLat.p99, acks: openLat.n },
    fanOut: { online: O.online, followers: O.starFollowers, posts: O.starPosts, deliveries: delivery.n, expected: O.starPosts * O.online, deliveryP50Ms: delivery.p50, deliveryP99Ms: delivery.p99, ackP50Ms: starAck.p50, ackP99Ms: starAck.p99, errors: reports.reduce((a, r) => a + r.errors, 0) },
    timeline: { firstPageP50Ms: firstLat.p50, firstPageP99Ms: firstLat.p99, pagingP50Ms: pagingLat.p50, pagingP99Ms: pagingLat.p99, pagingItems: paging.items },
    inProcess: { pageP50Ms: own.page.p50, pageP99Ms: own.page.p99, pageAndReadP50Ms: own.withRead.p50, pageAndReadP99Ms: own.withRead.p99 },
    plainSql: { p50Ms: sql.p50, p99Ms: sql.p99, rows: sql.rows, plan: sql.plan },
    ratio: {
      plainSqlP99OverWebSocketFirstPageP99: round(sql.p99 / firstLat.p99, 1),
      plainSqlP99OverWebSocketPagingP99: round(sql.p99 / pagingLat.p99, 1),
      plainSqlP99OverInProcessPageAndReadP99: round(sql.p99 / own.withRead.p99, 1),
      plainSqlP99OverInProcessPageP99: round(sql.p99 / own.page.p99, 1),
    },
  });
  if (exit !== 0) process.exitCode = 1;
});
