// The geofence reads that rebuild memory at start: the fences with their owners, and the
// devices as stored (owner, last position taken, open stays); nothing is replayed from
// the location log.
import type { Knex } from 'knex';
import { Fence } from '../../domain/geo/fence';
import { Stay } from '../../domain/geo/transitions';
import { StoredDevice } from '../../streams/geofence';

interface FenceRow {
  id: string;
  name: string;
  shape: string;
  dwell_ms: number | null;
  owner: string | null;
}

interface DeviceRow {
  device: string;
  owner: string;
  lat: number;
  lng: number;
  at: number;
  stays: string | null;
}

export const geoReads = (db: Knex) => ({
  fences: async (): Promise<Fence[]> => {
    const rows: FenceRow[] = await db('fences').select('id', 'name', 'shape', 'dwell_ms', 'owner').orderBy('id');
    return rows.map((r) => ({ id: r.id, name: r.name, shape: JSON.parse(r.shape), ...(r.dwell_ms === null ? {} : { dwellMs: Number(r.dwell_ms) }), owner: r.owner }));
  },

  /** Stays in fences that no longer exist are dropped (a delete's exits were committed with it, but a replaced store may differ). */
  devices: async (): Promise<StoredDevice[]> => {
    const fences = new Set((await db('fences').select('id')).map((r: { id: string }) => r.id));
    const rows: DeviceRow[] = await db('devices').select('device', 'owner', 'lat', 'lng', 'at', 'stays');
    return rows.map((r) => {
      const stays = new Map<string, Stay>();
      for (const [fence, [enteredAt, dwelled]] of Object.entries(JSON.parse(r.stays ?? '{}') as Record<string, [number, number]>)) {
        if (fences.has(fence)) stays.set(fence, { enteredAt, dwelled: dwelled === 1 });
      }
      return { owner: r.owner, state: { device: r.device, lat: Number(r.lat), lng: Number(r.lng), at: Number(r.at), stays } };
    });
  },
});
