// The exact test for polygons of many edges (a country's border: thousands). The
// crossing-number test of point-in-polygon-hao looks at every edge, but only edges whose
// latitude range holds the point's latitude can count (an edge wholly above or below the
// point's horizontal line neither crosses it nor holds the point). So the edges are
// sorted once into horizontal bands, and a test runs hao's rule over the edges of the
// point's band only: the same answer (boundary included), at the cost of a few dozen
// edges instead of thousands. The per-edge rule below is hao's, with the same robust
// orientation predicate, so the two never disagree.
import { orient2d } from 'robust-predicates';

/** Below this many edges a plain scan is as fast. */
export const BANDED_FROM = 64;
/** Edges per band, on average. */
const EDGES_PER_BAND = 4;

export interface Bands {
  readonly south: number;
  /** Bands per degree of latitude. */
  readonly scale: number;
  /** Band b's edges are edges[starts[b]] … edges[starts[b + 1] - 1], as indices into `ends`. */
  readonly starts: Int32Array;
  readonly edges: Int32Array;
  /** Edge e runs from (ends[4e], ends[4e+1]) to (ends[4e+2], ends[4e+3]). */
  readonly ends: Float64Array;
}

export const edgeCount = (rings: readonly (readonly number[][])[]): number => rings.reduce((n, ring) => n + ring.length - 1, 0);

export const bandsOf = (rings: readonly (readonly number[][])[], south: number, north: number): Bands => {
  const count = edgeCount(rings);
  const ends = new Float64Array(4 * count);
  let e = 0;
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++, e++) ends.set([ring[i][0], ring[i][1], ring[i + 1][0], ring[i + 1][1]], 4 * e);
  }
  const bands = Math.max(1, Math.ceil(count / EDGES_PER_BAND));
  const scale = bands / Math.max(north - south, 1e-12);
  const bandOf = (y: number) => Math.min(bands - 1, Math.max(0, Math.floor((y - south) * scale)));
  const span = (edge: number): [number, number] => {
    const [y0, y1] = [ends[4 * edge + 1], ends[4 * edge + 3]];
    return [bandOf(Math.min(y0, y1)), bandOf(Math.max(y0, y1))];
  };
  // Counting sort: sizes, then offsets, then fill.
  const starts = new Int32Array(bands + 1);
  for (let edge = 0; edge < count; edge++) {
    const [lo, hi] = span(edge);
    for (let b = lo; b <= hi; b++) starts[b + 1]++;
  }
  for (let b = 0; b < bands; b++) starts[b + 1] += starts[b];
  const edges = new Int32Array(starts[bands]);
  const next = starts.slice(0, bands);
  for (let edge = 0; edge < count; edge++) {
    const [lo, hi] = span(edge);
    for (let b = lo; b <= hi; b++) edges[next[b]++] = edge;
  }
  return { south, scale, starts, edges, ends };
};

const bandAt = ({ south, scale, starts }: Bands, y: number): number => Math.min(starts.length - 2, Math.max(0, Math.floor((y - south) * scale)));

/** Whether `meets` holds for any edge (x0, y0, x1, y1) that may reach latitudes south–north. */
export const anyEdgeBetween = (bands: Bands, south: number, north: number, meets: (x0: number, y0: number, x1: number, y1: number) => boolean): boolean => {
  const { starts, edges, ends } = bands;
  for (let b = bandAt(bands, south); b <= bandAt(bands, north); b++) {
    for (let i = starts[b]; i < starts[b + 1]; i++) {
      const e = 4 * edges[i];
      if (meets(ends[e], ends[e + 1], ends[e + 2], ends[e + 3])) return true;
    }
  }
  return false;
};

/** As point-in-polygon-hao: true inside, 0 on the boundary, false outside. */
export const bandedPointInPolygon = (bands: Bands, x: number, y: number): boolean | 0 => {
  const { starts, edges, ends } = bands;
  const band = bandAt(bands, y);
  let k = 0;
  for (let i = starts[band]; i < starts[band + 1]; i++) {
    const e = 4 * edges[i];
    const u1 = ends[e] - x;
    const v1 = ends[e + 1] - y;
    const u2 = ends[e + 2] - x;
    const v2 = ends[e + 3] - y;
    if (v1 === 0 && v2 === 0) {
      if ((u2 <= 0 && u1 >= 0) || (u1 <= 0 && u2 >= 0)) return 0;
    } else if ((v2 >= 0 && v1 <= 0) || (v2 <= 0 && v1 >= 0)) {
      const f = orient2d(u1, u2, v1, v2, 0, 0);
      if (f === 0) return 0;
      if ((f > 0 && v2 > 0 && v1 <= 0) || (f < 0 && v2 <= 0 && v1 > 0)) k++;
    }
  }
  return k % 2 === 0 ? false : true;
};
