// Which H3 cells stand for a fence in the index. A cell whose every point is inside
// the fence is a certain hit; a cell that may hold both inside and outside points goes
// to the exact test; every other cell is left out. "Every point of a cell" means every
// point the lookup maps to it: the lookup finds a point's cell at LOOKUP_RES and walks
// up with cellToParent, so a coarse cell stands for the union of its descendants, which
// sticks out a little past its own hexagon (H3's children do not tile their parent).
// So each cell is judged by a disk around its centre, REACH_FACTOR times its
// circumradius: cover and exact test never depend on where H3 draws an edge.
//
// Resolutions: fences run from a 1 m circle to a continent, so each fence gets its own
// finest resolution: the coarsest at which its perimeter is at least BOUNDARY_SPAN
// average cell edges (so 12 to 32 edges, H3 resolutions being √7 apart), and never
// finer than LOOKUP_RES (3.5 m edges; a smaller fence just sits in a few boundary
// cells). That keeps a fence to a few dozen cells whatever its size, and the index to
// a small multiple of the number of fences. Cells wholly inside stay as coarse as they
// can (a cover is built coarse to fine, by splitting only boundary cells), so a 100 km
// circle costs about what a 100 m one does. Finer covers would turn more lookups into
// certain hits, but the exact test is cheap and the lookup's cost is the one
// latLngToCell plus memory traffic, which more cells only add to (perf/geo-lookup.ts).
import { cellToBoundary, cellToChildren, cellToLatLng, getHexagonEdgeLengthAvg, gridDiskDistances, latLngToCell, UNITS } from 'h3-js';
import pointInPolygon from 'point-in-polygon-hao';
import type { PolygonRegion, Region } from './contains';
import { segmentMeetsBox } from './rings';
import { Box, capBox, distanceM } from './sphere';

/** The finest resolution of any cover (edge ≈ 3.5 m), and the one lookups start from. */
export const LOOKUP_RES = 13;
/** A fence's perimeter, in cell edges, at its finest resolution: at least this (unless that is LOOKUP_RES). */
export const BOUNDARY_SPAN = 12;
/**
 * The descendants of an H3 cell reach up to about 1.06 × its circumradius from its
 * centre (measured over all pentagons and random cells; cover.spec checks it); this
 * leaves room to spare.
 */
export const REACH_FACTOR = 1.25;
// The cover search starts this many resolutions above the fence's finest one, where
// the fence spans about one cell.
const START_ABOVE = 2;

const EDGE_M = Array.from({ length: LOOKUP_RES + 1 }, (_, r) => getHexagonEdgeLengthAvg(r, UNITS.m));

export interface Cover {
  /** The fence's finest resolution. */
  readonly res: number;
  /** Cells wholly inside the fence. */
  readonly inside: readonly string[];
  /** Cells the fence's boundary may cross. */
  readonly edge: readonly string[];
}

type Side = 'out' | 'in' | 'edge';

/** A disk holding every point the lookup maps to a cell. */
interface Disk {
  readonly lat: number;
  readonly lng: number;
  readonly reach: number;
}

const diskOf = (cell: string): Disk => {
  const [lat, lng] = cellToLatLng(cell);
  let far = 0;
  for (const [vlat, vlng] of cellToBoundary(cell)) far = Math.max(far, distanceM(lat, lng, vlat, vlng));
  return { lat, lng, reach: REACH_FACTOR * far };
};

const sideOf = (region: Region, disk: Disk): Side => {
  if (region.kind === 'circle') {
    const d = distanceM(disk.lat, disk.lng, region.lat, region.lng);
    return d - disk.reach > region.radius ? 'out' : d + disk.reach < region.radius ? 'in' : 'edge';
  }
  const box = capBox(disk.lat, disk.lng, disk.reach);
  if (box.south > region.north || box.north < region.south) return 'out';
  // Try the box a turn either way too: the polygon's longitudes are unwrapped.
  for (let shift = -720; shift <= 720; shift += 360) {
    if (box.east + shift < region.west || box.west + shift > region.east) continue;
    const side = boxSide(region, { ...box, west: box.west + shift, east: box.east + shift });
    // A box wholly inside one copy of the polygon meets no other copy (rings are narrower than a turn).
    if (side !== 'out') return side;
  }
  return 'out';
};

// No edge meets the box, so the box is all on one side of the boundary: its centre tells which.
const boxSide = ({ rings }: PolygonRegion, { west, east, south, north }: Box): Side => {
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      if (segmentMeetsBox(ring[i][0], ring[i][1], ring[i + 1][0], ring[i + 1][1], west, east, south, north)) return 'edge';
    }
  }
  const at = pointInPolygon([(west + east) / 2, (south + north) / 2], rings);
  return at === true ? 'in' : at === 0 ? 'edge' : 'out';
};

const perimeterM = (region: Region): number => {
  if (region.kind === 'circle') return 2 * Math.PI * region.radius;
  let sum = 0;
  for (const ring of region.rings) for (let i = 0; i + 1 < ring.length; i++) sum += distanceM(ring[i][1], ring[i][0], ring[i + 1][1], ring[i + 1][0]);
  return sum;
};

export const coverResolution = (region: Region): number => {
  const perimeter = perimeterM(region);
  let res = 0;
  while (res < LOOKUP_RES && perimeter < BOUNDARY_SPAN * EDGE_M[res]) res++;
  return res;
};

export const coverOf = (region: Region): Cover => {
  const res = coverResolution(region);
  const inside: string[] = [];
  const edge: string[] = [];
  const visit = (cell: string, r: number): void => {
    const side = sideOf(region, diskOf(cell));
    if (side === 'in') inside.push(cell);
    else if (side === 'edge' && r === res) edge.push(cell);
    else if (side === 'edge') for (const child of cellToChildren(cell, r + 1)) visit(child, r + 1);
  };
  const start = Math.max(0, res - START_ABOVE);
  for (const root of roots(region, start)) visit(root, start);
  return { res, inside, edge };
};

// Cells at `res` around a point of the shape, grown ring by ring until a whole ring
// misses it: the shape is connected, so it cannot reach past that ring.
const roots = (region: Region, res: number): string[] => {
  const [lng, lat] = region.kind === 'circle' ? [region.lng, region.lat] : region.rings[0][0];
  const origin = latLngToCell(lat, lng, res);
  for (let k = 1; ; k++) {
    const rings = gridDiskDistances(origin, k);
    const ring = rings[k] ?? [];
    if (ring.every((cell) => sideOf(region, diskOf(cell)) === 'out')) return rings.slice(0, k).flat();
  }
};
