// Distances on one sphere of one radius: circle fences (as chords between unit vectors)
// and the reach of H3 cells (haversine) are measured on it, so the index and the exact
// test agree on what a metre is.

/** Mean Earth radius (IUGG), metres. */
export const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Great-circle (haversine) distance in metres. */
export const distanceM = (lat1: number, lng1: number, lat2: number, lng2: number): number => {
  const sinLat = Math.sin((lat2 - lat1) * RAD * 0.5);
  const sinLng = Math.sin((lng2 - lng1) * RAD * 0.5);
  const h = sinLat * sinLat + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * sinLng * sinLng;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
};

/** A point as a unit vector from the Earth's centre. */
export interface Unit {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

export const unitOf = (lat: number, lng: number): Unit => {
  const cosLat = Math.cos(lat * RAD);
  return { x: cosLat * Math.cos(lng * RAD), y: cosLat * Math.sin(lng * RAD), z: Math.sin(lat * RAD) };
};

/**
 * The squared chord between two unit vectors: a great-circle distance d is within r
 * exactly when its chord² is within chord2Of(r). Subtracting the components, rather than
 * taking 1 − cos, keeps it precise down to millimetres.
 */
export const chord2 = (a: Unit, b: Unit): number => {
  const dx = a.x - b.x;
  const dy = a.y - b.y;
  const dz = a.z - b.z;
  return dx * dx + dy * dy + dz * dz;
};

export const chord2Of = (distanceM: number): number => {
  const half = Math.sin(distanceM / EARTH_RADIUS_M / 2);
  return 4 * half * half;
};

/** A lng/lat rectangle; `west`/`east` may pass ±180 when it straddles the antimeridian. */
export interface Box {
  readonly west: number;
  readonly east: number;
  readonly south: number;
  readonly north: number;
}

// Slack on every side of a cap's box: far above float error, far below a cell.
const BOX_SLACK_DEG = 1e-9;

/**
 * The lng/lat rectangle holding every point within `radiusM` of (lat, lng). A cap that
 * holds a pole spans every longitude.
 */
export const capBox = (lat: number, lng: number, radiusM: number): Box => {
  const arc = radiusM / EARTH_RADIUS_M;
  const dLat = arc / RAD + BOX_SLACK_DEG;
  const south = lat - dLat;
  const north = lat + dLat;
  if (south <= -90 || north >= 90) return { west: -180, east: 180, south: Math.max(south, -90), north: Math.min(north, 90) };
  // The widest longitude of a cap is asin(sin r / cos φ) either side of its centre.
  const dLng = Math.asin(Math.min(1, Math.sin(arc) / Math.cos(lat * RAD))) / RAD + BOX_SLACK_DEG;
  return { west: lng - dLng, east: lng + dLng, south, north };
};
