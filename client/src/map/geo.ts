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

export const fenceLayer = (fence: Fence, style: L.PathOptions): L.Circle | L.Polygon =>
  fence.shape.type === 'Circle'
    ? L.circle([fence.shape.center[1], fence.shape.center[0]], { ...style, radius: fence.shape.radius })
    : L.polygon(
        fence.shape.coordinates.map((ring) => ring.map(([lng, lat]) => [lat, lng] as [number, number])),
        style,
      );

export const describeShape = (shape: Shape): string =>
  shape.type === 'Circle'
    ? `Circle · ${shape.radius >= 1000 ? `${(shape.radius / 1000).toFixed(1)} km` : `${shape.radius} m`}`
    : `Polygon · ${Math.max(0, (shape.coordinates[0]?.length ?? 1) - 1)} points${shape.coordinates.length > 1 ? `, ${shape.coordinates.length - 1} holes` : ''}`;
