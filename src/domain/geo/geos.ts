// GEOS (the C++ port of JTS that PostGIS and Shapely use), compiled to WebAssembly by
// the npm package geos-wasm: the OGC validity test and MakeValid, nothing else. The
// protocol promises validity "as JTS/GEOS IsValid apply it" and repair "the way GEOS
// MakeValid does", so both come from GEOS itself rather than from code of ours.
//
// The library loads once, asynchronously (it compiles its WebAssembly); after that every
// call is synchronous and depends only on its arguments, so the rest of the domain takes
// a loaded `Geometry` as a value, like any other input.
//
// geos-wasm ships only ES modules; Node (≥ 20.19) loads them with require, but jest's
// module registry cannot, so it is loaded through Node's own require (the `module`
// builtin as Node has it, which jest does not replace).

/** Planar coordinates [x, y]; a polygon is its rings, the first one outer. */
export type PlanarPolygon = readonly (readonly (readonly number[])[])[];

export interface Invalidity {
  /** GEOS's reason, e.g. "Ring Self-intersection" or "Hole lies outside shell". */
  readonly reason: string;
  /** Where GEOS found it. */
  readonly x: number;
  readonly y: number;
}

export interface Geometry {
  /** Why the polygons, taken as one (Multi)Polygon, are not valid; undefined if they are. */
  invalidity(polygons: readonly PlanarPolygon[]): Invalidity | undefined;
  /**
   * GEOS MakeValid (the "linework" method, GEOS's default): what the even-odd rule puts
   * inside the rings, as valid polygons. Parts that collapse to lines or points are dropped.
   */
  makeValid(polygons: readonly PlanarPolygon[]): number[][][][];
}

// The few entry points used, as geos-wasm names them (pointers are numbers).
interface Geos {
  readonly Module: { _malloc(size: number): number; _free(ptr: number): void; getValue(ptr: number, type: 'i32'): number; UTF8ToString(ptr: number): string };
  GEOSisValidDetail(g: number, flags: number, reason: number, location: number): number;
  GEOSMakeValidParams_create(): number;
  GEOSMakeValidParams_setMethod(params: number, method: number): number;
  GEOSMakeValidParams_setKeepCollapsed(params: number, keep: number): number;
  GEOSMakeValidWithParams(g: number, params: number): number;
  GEOSGeom_destroy(g: number): void;
  GEOSFree(ptr: number): void;
}
type GeoJson = { type: string; coordinates?: unknown; geometries?: GeoJson[] };
interface Helpers {
  geojsonToGeosGeom(geojson: GeoJson, geos: Geos): number;
  geosGeomToGeojson(g: number, geos: Geos): GeoJson;
}

/** For a process that holds no fences (a cluster worker other than the fences' owner): never asked. */
export const notLoaded: Geometry = {
  invalidity: () => {
    throw new Error('GEOS is not loaded in this process: it holds no fences');
  },
  makeValid: () => {
    throw new Error('GEOS is not loaded in this process: it holds no fences');
  },
};

const LINEWORK = 0;
let loading: Promise<Geometry> | undefined;

/** GEOS, loaded once per process (about 150 ms and 20 MB). */
export const loadGeometry = (): Promise<Geometry> => (loading ??= load());

const load = async (): Promise<Geometry> => {
  const nodeRequire = process.getBuiltinModule('module').createRequire(__filename);
  const init = (nodeRequire('geos-wasm') as { default: (config: object) => Promise<Geos> }).default;
  const helpers = nodeRequire('geos-wasm/helpers') as Helpers;
  // GEOS reports an invalid geometry through its notice handler too: the reason is
  // read from isValidDetail instead. Its errors end the call with a null result.
  let lastError: string | undefined;
  const geos = await init({ noticeHandler: () => undefined, errorHandler: (message: string) => (lastError = message) });
  const params = geos.GEOSMakeValidParams_create();
  geos.GEOSMakeValidParams_setMethod(params, LINEWORK);
  geos.GEOSMakeValidParams_setKeepCollapsed(params, 0);

  const withGeometry = <A>(polygons: readonly PlanarPolygon[], use: (g: number) => A): A => {
    lastError = undefined;
    const g = helpers.geojsonToGeosGeom({ type: 'MultiPolygon', coordinates: polygons }, geos);
    if (!g) throw new Error(`GEOS could not read the polygons: ${lastError ?? 'no reason given'}`);
    try {
      return use(g);
    } finally {
      geos.GEOSGeom_destroy(g);
    }
  };

  return {
    invalidity: (polygons) =>
      withGeometry(polygons, (g) => {
        const out = geos.Module._malloc(8);
        try {
          const valid = geos.GEOSisValidDetail(g, 0, out, out + 4);
          if (valid === 1) return undefined;
          if (valid !== 0) throw new Error(`GEOS could not test validity: ${lastError ?? 'no reason given'}`);
          const reasonPtr = geos.Module.getValue(out, 'i32');
          const locationPtr = geos.Module.getValue(out + 4, 'i32');
          const reason = geos.Module.UTF8ToString(reasonPtr);
          geos.GEOSFree(reasonPtr);
          const location = locationPtr ? helpers.geosGeomToGeojson(locationPtr, geos) : undefined;
          if (locationPtr) geos.GEOSGeom_destroy(locationPtr);
          const [x, y] = (location?.coordinates as number[] | undefined) ?? [NaN, NaN];
          return { reason, x, y };
        } finally {
          geos.Module._free(out);
        }
      }),
    makeValid: (polygons) =>
      withGeometry(polygons, (g) => {
        const made = geos.GEOSMakeValidWithParams(g, params);
        if (!made) throw new Error(`GEOS could not make the polygons valid: ${lastError ?? 'no reason given'}`);
        try {
          return polygonsIn(helpers.geosGeomToGeojson(made, geos));
        } finally {
          geos.GEOSGeom_destroy(made);
        }
      }),
  };
};

/** The polygons of a GeoJSON geometry of any type (none from points or lines). */
const polygonsIn = (g: GeoJson): number[][][][] => {
  if (g.type === 'Polygon') return [g.coordinates as number[][][]];
  if (g.type === 'MultiPolygon') return g.coordinates as number[][][][];
  if (g.type === 'GeometryCollection') return (g.geometries ?? []).flatMap(polygonsIn);
  return [];
};
