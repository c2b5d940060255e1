// The server frames of the geofence protocol, told apart without JSON.parse: the load
// clients see an ack for every update and a fence.event for every transition, and
// parsing each would cost the clients more than it costs the server to send them. The
// server serializes `type` first and, for events, `event` second; anything that does
// not start as expected falls back to JSON.parse.
import { intField } from '../chat/wire';

export const enum Geo {
  Other = 0,
  Ack = 1,
  Enter = 2,
  Exit = 3,
  Dwell = 4,
  Created = 5,
  Subscribed = 6,
  Error = 7,
}

const prefixes: [Buffer, Geo][] = [
  [Buffer.from('{"type":"location.ack"'), Geo.Ack],
  [Buffer.from('{"type":"fence.event","event":"enter"'), Geo.Enter],
  [Buffer.from('{"type":"fence.event","event":"exit"'), Geo.Exit],
  [Buffer.from('{"type":"fence.event","event":"dwell"'), Geo.Dwell],
  [Buffer.from('{"type":"fence.created"'), Geo.Created],
  [Buffer.from('{"type":"fence.subscribed"'), Geo.Subscribed],
  [Buffer.from('{"type":"error"'), Geo.Error],
];
const byType: Record<string, Geo> = { 'location.ack': Geo.Ack, 'fence.created': Geo.Created, 'fence.subscribed': Geo.Subscribed, error: Geo.Error };
const byEvent: Record<string, Geo> = { enter: Geo.Enter, exit: Geo.Exit, dwell: Geo.Dwell };
const TYPE_KEY = Buffer.from('{"type":"');

export const geoKindOf = (b: Buffer, s: number, e: number): Geo => {
  for (const [p, kind] of prefixes) if (e - s >= p.length && b.compare(p, 0, p.length, s, s + p.length) === 0) return kind;
  if (e - s > TYPE_KEY.length && b.compare(TYPE_KEY, 0, TYPE_KEY.length, s, s + TYPE_KEY.length) === 0 && b[s + TYPE_KEY.length] !== 0x66 /* f */) return Geo.Other;
  try {
    const f = JSON.parse(b.toString('utf8', s, e)) as { type?: string; event?: string };
    if (f.type === 'fence.event') return byEvent[f.event ?? ''] ?? Geo.Other;
    return byType[f.type ?? ''] ?? Geo.Other;
  } catch {
    return Geo.Other;
  }
};

const DEVICE = Buffer.from('"device":"d');
/** The index of the device (`d<index>`) a frame is about, or NaN. */
export const deviceOf = (b: Buffer, s: number, e: number): number => intField(b, s, e, DEVICE);

export { REF, intField } from '../chat/wire';
