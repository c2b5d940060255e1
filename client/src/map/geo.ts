// Small geometry for the map view: offsets in metres, and fences as Leaflet shapes.
import L from 'leaflet';
import type { Fence, Shape } from '../rusher';

const METRES_PER_DEGREE = 111_320;

export interface Point {
  readonly lat: number;
  readonly lng: number;
}

/** `origin` moved `east` and `north` metres (flat-earth: fine over a few kilometres). */
export const offset = (origin: Point, east: number, north: number): Point => ({
  lat: origin.lat + north / METRES_PER_DEGREE,
  lng: origin.lng + east / (METRES_PER_DEGREE * Math.cos((origin.lat * Math.PI) / 180)),
});

/** A drawn ring as the protocol's GeoJSON polygon: [lng, lat] pairs, closed. */
export const polygonShape = (points: readonly Point[]): Shape => {
  const ring = points.map((p) => [p.lng, p.lat] as [number, number]);
  return { type: 'Polygon', coordinates: [[...ring, ring[0]]] };
};

export const circleShape = (center: Point, radius: number): Shape => ({ type: 'Circle', center: [center.lng, center.lat], radius: Math.round(radius) });

type Rings = readonly (readonly (readonly [number, number])[])[];
const latLngs = (rings: Rings) => rings.map((ring) => ring.map(([lng, lat]) => [lat, lng] as [number, number]));

/** A MultiPolygon is one Leaflet polygon of several parts. */
export const fenceLayer = (fence: Fence, style: L.PathOptions): L.Circle | L.Polygon => {
  const { shape } = fence;
  if (shape.type === 'Circle') return L.circle([shape.center[1], shape.center[0]], { ...style, radius: shape.radius });
  return L.polygon(shape.type === 'Polygon' ? latLngs(shape.coordinates) : shape.coordinates.map(latLngs), style);
};

const positions = (rings: Rings) => rings.reduce((n, ring) => n + Math.max(0, ring.length - 1), 0);
const holes = (n: number) => (n > 0 ? `, ${n} ${n === 1 ? 'hole' : 'holes'}` : '');

export const describeShape = (shape: Shape): string => {
  if (shape.type === 'Circle') return `Circle · ${shape.radius >= 1000 ? `${(shape.radius / 1000).toFixed(1)} km` : `${shape.radius} m`}`;
  if (shape.type === 'Polygon') return `Polygon · ${Math.max(0, (shape.coordinates[0]?.length ?? 1) - 1)} points${holes(shape.coordinates.length - 1)}`;
  const parts = shape.coordinates;
  return `MultiPolygon · ${parts.length} parts, ${parts.reduce((n, p) => n + positions(p), 0)} points${holes(parts.reduce((n, p) => n + p.length - 1, 0))}`;
};
