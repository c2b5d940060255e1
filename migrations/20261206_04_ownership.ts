import type { Knex } from 'knex';

// Fences get their creator as owner; devices get a table of their own: owner (the first
// user who reported the device) and its state (last position taken, open stays), written
// with each update, so that a start reads devices instead of replaying the location log.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('fences', (t) => {
    // Null for fences made before owners existed: only admins may change those.
    t.string('owner', 64).nullable();
  });
  await knex.schema.createTable('devices', (t) => {
    t.string('device', 128).primary();
    t.string('owner', 64).notNullable();
    t.double('lat').notNullable();
    t.double('lng').notNullable();
    t.bigInteger('at').notNullable();
    // {fence: [enteredAt, dwelled ? 1 : 0]}, JSON. Nullable so that an upsert can say
    // "unchanged" with null (a NOT NULL column would refuse the row before the upsert).
    t.text('stays').nullable();
  });
  await backfillDevices(knex);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('devices');
  await knex.schema.alterTable('fences', (t) => t.dropColumn('owner'));
}

interface Row {
  device: string;
  user?: string;
  fence?: string;
  event?: string;
  lat: number;
  lng: number;
  at: number;
}

/**
 * Devices as the logs left them before this table existed: owner = first reporter, state
 * = last update and open stays. Only a SQLite store can hold such logs (this migration
 * predates the others), so the SQL below is SQLite's (rowid is the arrival order).
 */
const backfillDevices = async (knex: Knex) => {
  if ((await knex('locations').first('device')) === undefined) return;
  const first: Row[] = await knex.raw('select l.device, l.user from locations l join (select min(rowid) r from locations group by device) m on l.rowid = m.r');
  const last: Row[] = await knex.raw('select l.device, l.lat, l.lng, l.at from locations l join (select max(rowid) r from locations where stale = 0 group by device) m on l.rowid = m.r');
  const events: Row[] = await knex.raw('select e.* from fence_events e join (select max(rowid) r from fence_events group by device, fence) m on e.rowid = m.r');
  const enters: Row[] = await knex.raw("select e.* from fence_events e join (select max(rowid) r from fence_events where event = 'enter' group by device, fence) m on e.rowid = m.r");
  const fences = new Set((await knex('fences').select('id')).map((r: { id: string }) => r.id));
  const enteredAt = new Map(enters.map((e) => [`${e.device}\n${e.fence}`, Number(e.at)]));
  const stays = new Map<string, Record<string, [number, number]>>();
  for (const e of events) {
    if (e.event === 'exit' || !fences.has(e.fence as string)) continue;
    const mine = stays.get(e.device) ?? {};
    mine[e.fence as string] = [enteredAt.get(`${e.device}\n${e.fence}`) ?? Number(e.at), e.event === 'dwell' ? 1 : 0];
    stays.set(e.device, mine);
  }
  const owners = new Map(first.map((r) => [r.device, r.user as string]));
  const rows = last.map((r) => ({ device: r.device, owner: owners.get(r.device), lat: r.lat, lng: r.lng, at: r.at, stays: JSON.stringify(stays.get(r.device) ?? {}) }));
  for (let i = 0; i < rows.length; i += 500) await knex('devices').insert(rows.slice(i, i + 500));
};
