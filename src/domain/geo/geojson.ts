// Importing a GeoJSON file as fences, the same way from the web client (a file dropped on
// the map) and from the command line (src/cli/fences-import.ts): which features become
// fences and under what name, and what became of each once the server answered. No
// I/O here; both callers send the fences through the protocol, so the server's rules
// (validity, repair, authorization) apply as to any client.
//
// A FeatureCollection, a single Feature or a bare geometry is taken. Every Polygon and
// MultiPolygon becomes one fence, its shape sent exactly as it is in the file (the
// server judges it); other geometries are skipped, with the reason. A fence's name is
// the chosen property of its feature when that is a string or a number, else the
// feature's id, else its place in the file.

/** A fence to create, as fence.create takes it. */
export interface ImportedFence {
  /** The feature's index in the file. */
  readonly feature: number;
  readonly name: string;
  readonly shape: unknown;
  readonly repair: boolean;
}

export interface Skipped {
  readonly feature: number;
  readonly reason: string;
}

export interface ImportOptions {
  /** The feature property that names a fence (default "name"). */
  readonly nameProperty?: string;
  readonly repair: boolean;
}

const MAX_NAME = 256;

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

export const fencesOfGeoJson = (json: unknown, { nameProperty = 'name', repair }: ImportOptions): { fences: ImportedFence[]; skipped: Skipped[] } => {
  const features: unknown[] = !isObject(json)
    ? []
    : json.type === 'FeatureCollection' && Array.isArray(json.features)
      ? json.features
      : json.type === 'Feature'
        ? [json]
        : [{ type: 'Feature', geometry: json, properties: {} }];
  if (!isObject(json) || features.length === 0) return { fences: [], skipped: [{ feature: 0, reason: 'not GeoJSON: expected a FeatureCollection, a Feature or a geometry' }] };
  const fences: ImportedFence[] = [];
  const skipped: Skipped[] = [];
  features.forEach((f, i) => {
    const geometry = isObject(f) ? f.geometry : undefined;
    const type = isObject(geometry) ? geometry.type : undefined;
    if (type !== 'Polygon' && type !== 'MultiPolygon') {
      skipped.push({ feature: i, reason: `${typeof type === 'string' ? `a ${type}` : 'no geometry'}: only Polygons and MultiPolygons are fences` });
      return;
    }
    fences.push({ feature: i, name: nameOf(f as Record<string, unknown>, i, nameProperty), shape: geometry, repair });
  });
  return { fences, skipped };
};

const nameOf = (feature: Record<string, unknown>, i: number, property: string): string => {
  const props = isObject(feature.properties) ? feature.properties : {};
  const named = props[property];
  const name = typeof named === 'string' || typeof named === 'number' ? String(named) : typeof feature.id === 'string' || typeof feature.id === 'number' ? String(feature.id) : `feature ${i}`;
  return name.slice(0, MAX_NAME);
};

export type Outcome = { readonly kind: 'created' } | { readonly kind: 'repaired' } | { readonly kind: 'refused'; readonly reason: string };

/** What became of a fence: created as sent, created repaired (the server's shape differs), or refused with the server's reason. */
export const outcomeOf = (sent: ImportedFence, reply: { readonly shape: unknown } | { readonly error: { readonly message: string; readonly path?: string } }): Outcome => {
  if ('error' in reply) return { kind: 'refused', reason: reply.error.path === undefined ? reply.error.message : `${reply.error.path}: ${reply.error.message}` };
  return geometryKey(reply.shape) === geometryKey(sent.shape) ? { kind: 'created' } : { kind: 'repaired' };
};

// Other members a file may carry (a bbox) are not the shape.
const geometryKey = (shape: unknown): string => (isObject(shape) ? JSON.stringify([shape.type, shape.coordinates]) : '');

export interface ImportSummary {
  readonly created: number;
  readonly repaired: number;
  readonly refused: readonly { readonly name: string; readonly reason: string }[];
  readonly skipped: readonly Skipped[];
}

export const summarize = (outcomes: readonly (readonly [ImportedFence, Outcome])[], skipped: readonly Skipped[]): ImportSummary => ({
  created: outcomes.filter(([, o]) => o.kind === 'created').length,
  repaired: outcomes.filter(([, o]) => o.kind === 'repaired').length,
  refused: outcomes.flatMap(([f, o]) => (o.kind === 'refused' ? [{ name: f.name, reason: o.reason }] : [])),
  skipped,
});
