// Which worker of a cluster owns a frame. Everything the server orders has one owner:
// a room's seq and presence, a document's versions, and (one worker for all of them)
// the fences and devices, since a fence create re-evaluates every device.
import { ClientFrame, Feature, FeatureFrame, featureOf } from './protocol';

/** The worker that owns fences and devices. */
export const GEO_OWNER = 0;

// FNV-1a: cheap, and spreads room and doc names well enough over a few workers.
const hash = (s: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
};

export const roomOwner = (room: string, workers: number): number => hash(`room:${room}`) % workers;
export const docOwner = (doc: string, workers: number): number => hash(`doc:${doc}`) % workers;

const owners: { readonly [F in Feature]: (frame: FeatureFrame<F>, workers: number) => number | undefined } = {
  gateway: () => undefined,
  chat: (f, workers) => roomOwner(f.room, workers),
  docs: (f, workers) => docOwner(f.doc, workers),
  geo: () => GEO_OWNER,
};

/** The owner of a frame; `undefined` for a frame answered where it arrives. */
export const ownerOf = (frame: ClientFrame, workers: number): number | undefined =>
  (owners[featureOf(frame.type)] as (f: ClientFrame, w: number) => number | undefined)(frame, workers);
