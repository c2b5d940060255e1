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
// finest resolution, the one of its boundary cells: the coarsest at which the strip of
// boundary cells (about two cell edges wide along the perimeter) stands on at most
// BOUNDARY_SHARE of the fence's area, so that most points inside land in a cell that is
// certainly inside and need no exact test. A ragged border (a coast at 10 km) has a long
// perimeter for its area, so it gets finer cells than a circle of the same size; the
// number of boundary cells grows as perimeter² / area, capped by MAX_BOUNDARY_CELLS.
// Never finer than LOOKUP_RES (3.5 m edges; a smaller fence just sits in a few boundary
// cells). Cells wholly inside stay as coarse as they can (a cover is built coarse to fine,
// by splitting only boundary cells), so a 100 km circle costs little more than a 100 m one.
import { cellToBoundary, cellToChildren, cellToLatLng, getHexagonEdgeLengthAvg, gridDiskDistances, latLngToCell, UNITS } from 'h3-js';
import pointInPolygon from 'point-in-polygon-hao';
import type { Part, Region } from './contains';
import { anyEdgeBetween, bandedPointInPolygon } from './bands';
import { segmentMeetsBox } from './rings';
import { Box, EARTH_RADIUS_M, capBox, distanceM } from './sphere';

/** The finest resolution of any cover (edge ≈ 3.5 m), and the one lookups start from. */
export const LOOKUP_RES = 13;
/** The share of a fence's area its boundary cells may stand on, as estimated (see coverResolution). */
export const BOUNDARY_SHARE = 2;
/** At most about this many boundary cells a fence, whatever its outline. */
export const MAX_BOUNDARY_CELLS = 40_000;
/**
 * The descendants of an H3 cell reach up to about 1.06 × its circumradius from its
 * centre (measured over all pentagons and random cells; cover.spec checks it); this
 * leaves room to spare.
 */
export const REACH_FACTOR = 1.25;
// The cover search starts at the resolution whose cell edge is about the fence's size.

const EDGE_M = Array.from({ length: LOOKUP_RES + 1 }, (_, r) => getHexagonEdgeLengthAvg(r, UNITS.m));

export interface Cover {
  /** The fence's finest resolution. */
  readonly res: number;
  /** Cells wholly inside the fence. */
  readonly inside: readonly string[];
  /** Cells the fence's boundary may cross. */
  readonly edge: readonly string[];
  /**
   * For a shape of several parts, the parts each boundary cell meets (by index): a point
   * of the cell can only be inside those, so its exact test needs no other.
   */
  readonly edgeParts?: readonly (readonly number[])[];
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
  // The parts do not overlap: a box wholly inside one is inside the fence.
  let side: Side = 'out';
  for (const part of region.parts) {
    const s = partSide(part, box);
    if (s === 'in') return 'in';
    if (s === 'edge') side = 'edge';
  }
  return side;
};

const partSide = (part: Part, box: Box): Side => {
  if (box.south > part.north || box.north < part.south) return 'out';
  // Try the box a turn either way too: the polygon's longitudes are unwrapped.
  for (let shift = -720; shift <= 720; shift += 360) {
    if (box.east + shift < part.west || box.west + shift > part.east) continue;
    const side = boxSide(part, { ...box, west: box.west + shift, east: box.east + shift });
    // A box wholly inside one copy of the polygon meets no other copy (rings are narrower than a turn).
    if (side !== 'out') return side;
  }
  return 'out';
};

// No edge meets the box, so the box is all on one side of the boundary: its centre tells which.
const boxSide = ({ rings, bands }: Part, { west, east, south, north }: Box): Side => {
  const meets = (x0: number, y0: number, x1: number, y1: number) => segmentMeetsBox(x0, y0, x1, y1, west, east, south, north);
  if (bands !== undefined) {
    if (anyEdgeBetween(bands, south, north, meets)) return 'edge';
  } else {
    for (const ring of rings) for (let i = 0; i + 1 < ring.length; i++) if (meets(ring[i][0], ring[i][1], ring[i + 1][0], ring[i + 1][1])) return 'edge';
  }
  const [x, y] = [(west + east) / 2, (south + north) / 2];
  const at = bands === undefined ? pointInPolygon([x, y], rings) : bandedPointInPolygon(bands, x, y);
  return at === true ? 'in' : at === 0 ? 'edge' : 'out';
};

const RAD = Math.PI / 180;
const M_PER_DEG = EARTH_RADIUS_M * RAD;

/** Perimeter and area in metres and m², the area in an equal-area (sinusoidal) projection: an estimate, for choosing a resolution. */
export const measure = (region: Region): { perimeter: number; area: number } => {
  if (region.kind === 'circle') return { perimeter: 2 * Math.PI * region.radius, area: Math.PI * region.radius * region.radius };
  let perimeter = 0;
  let area = 0;
  for (const part of region.parts) {
    part.rings.forEach((ring, r) => {
      let twice = 0;
      for (let i = 0; i + 1 < ring.length; i++) {
        const [x0, y0] = ring[i];
        const [x1, y1] = ring[i + 1];
        perimeter += distanceM(y0, x0, y1, x1);
        twice += x0 * Math.cos(y0 * RAD) * y1 - x1 * Math.cos(y1 * RAD) * y0;
      }
      area += (r === 0 ? 1 : -1) * (Math.abs(twice) / 2) * M_PER_DEG * M_PER_DEG;
    });
  }
  return { perimeter, area: Math.max(area, 0) };
};

export const coverResolution = (region: Region): number => {
  const { perimeter, area } = measure(region);
  let res = 0;
  // A strip two edges wide along the perimeter; capped in cells.
  while (res < LOOKUP_RES && (2 * EDGE_M[res] * perimeter > BOUNDARY_SHARE * area) && perimeter / EDGE_M[res + 1] <= MAX_BOUNDARY_CELLS) res++;
  return res;
};

const startResolution = (region: Region, res: number): number => {
  const { perimeter } = measure(region);
  let start = res;
  while (start > 0 && EDGE_M[start - 1] < perimeter / 4) start--;
  return start;
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
  const start = startResolution(region, res);
  for (const root of roots(region, start)) visit(root, start);
  if (region.kind === 'circle' || region.parts.length === 1) return { res, inside, edge };
  const edgeParts = edge.map((cell) => {
    const { lat, lng, reach } = diskOf(cell);
    const box = capBox(lat, lng, reach);
    return region.parts.flatMap((part, i) => (partSide(part, box) === 'out' ? [] : [i]));
  });
  return { res, inside, edge, edgeParts };
};

// Cells at `res` around each part of the shape, each grown ring by ring from a point of
// the part until a whole ring misses it: a part is connected, so it cannot reach past
// that ring.
const roots = (region: Region, res: number): Set<string> => {
  const found = new Set<string>();
  const around = ([lng, lat]: readonly number[], side: (disk: Disk) => Side) => {
    const origin = latLngToCell(lat, lng < -180 ? lng + 360 : lng > 180 ? lng - 360 : lng, res);
    for (let k = 1; ; k++) {
      const rings = gridDiskDistances(origin, k);
      const ring = rings[k] ?? [];
      if (ring.every((cell) => side(diskOf(cell)) === 'out')) {
        for (const cell of rings.slice(0, k).flat()) found.add(cell);
        return;
      }
    }
  };
  if (region.kind === 'circle') around([region.lng, region.lat], (disk) => sideOf(region, disk));
  else for (const part of region.parts) around(part.rings[0][0], (disk) => partSide(part, capBox(disk.lat, disk.lng, disk.reach)));
  return found;
};
