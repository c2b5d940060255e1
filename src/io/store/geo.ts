// The geofence reads that rebuild memory at start: the fences, and each device's state,
// derived from the logs (its last update that was not stale, and the stays its events
// left open), since an update writes one location row and no device row.
import type { Knex } from 'knex';
import { Fence } from '../../domain/geo/fence';
import { Stay } from '../../domain/geo/transitions';
import { StoredDevice } from '../../streams/geofence';

interface FenceRow {
  id: string;
  name: string;
  shape: string;
  dwell_ms: number | null;
}

interface LastRow {
  device: string;
  user: string;
  lat: number;
  lng: number;
  at: number;
}

interface EventRow {
  device: string;
  fence: string;
  event: 'enter' | 'exit' | 'dwell';
  at: number;
}

// Each group's last row in arrival order: rowid, on both engines (see the geofences migration).
const lastOf = (db: Knex, table: string, keys: readonly string[], where = 'true') =>
  db
    .select('t.*')
    .from({ t: table })
    .join(db(table).max({ r: 'rowid' }).whereRaw(where).groupBy(keys).as('m'), 't.rowid', 'm.r');

export const geoReads = (db: Knex) => ({
  fences: async (): Promise<Fence[]> => {
    const rows: FenceRow[] = await db('fences').select('id', 'name', 'shape', 'dwell_ms').orderBy('id');
    return rows.map((r) => ({ id: r.id, name: r.name, shape: JSON.parse(r.shape), ...(r.dwell_ms === null ? {} : { dwellMs: Number(r.dwell_ms) }) }));
  },

  devices: async (): Promise<StoredDevice[]> => {
    const fences = new Set((await db('fences').select('id')).map((r: { id: string }) => r.id));
    const last: LastRow[] = await lastOf(db, 'locations', ['device'], 'not stale');
    const events: EventRow[] = await lastOf(db, 'fence_events', ['device', 'fence']);
    const enters: EventRow[] = await lastOf(db, 'fence_events', ['device', 'fence'], "event = 'enter'");
    const enteredAt = new Map(enters.map((e) => [`${e.device}\n${e.fence}`, Number(e.at)]));
    const stays = new Map<string, Map<string, Stay>>();
    for (const e of events) {
      if (e.event === 'exit' || !fences.has(e.fence)) continue;
      let mine = stays.get(e.device);
      if (mine === undefined) stays.set(e.device, (mine = new Map()));
      mine.set(e.fence, { enteredAt: enteredAt.get(`${e.device}\n${e.fence}`) ?? Number(e.at), dwelled: e.event === 'dwell' });
    }
    return last.map((r) => ({
      user: r.user,
      state: { device: r.device, lat: Number(r.lat), lng: Number(r.lng), at: Number(r.at), stays: stays.get(r.device) ?? new Map() },
    }));
  },
});
