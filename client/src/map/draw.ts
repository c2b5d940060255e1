// Drawing a fence on the map by hand: a polygon point by point, or a circle from its
// centre to its edge. Nothing is checked here: the server judges the shape.
import L from 'leaflet';
import type { Point } from './geo';

export type Drawn = { readonly kind: 'polygon'; readonly points: readonly Point[] } | { readonly kind: 'circle'; readonly center: Point; readonly radius: number };

export type Tool = 'polygon' | 'circle';

const PREVIEW: L.PathOptions = { color: '#ea580c', weight: 2, dashArray: '6 6', fillOpacity: 0.08, interactive: false };

/** How close (px) a click must be to the first point to close the polygon. */
const CLOSE_PX = 12;

export interface Drawing {
  /** Closes the polygon being drawn, if it has three points. */
  readonly finish: () => void;
  readonly cancel: () => void;
}

export interface DrawingEvents {
  /** The shape is complete. */
  readonly done: (shape: Drawn) => void;
  /** How many points are placed so far. */
  readonly points: (count: number) => void;
  /** Escape was pressed. */
  readonly cancelled: () => void;
}

/** Starts drawing with `tool` until the shape is done or the drawing cancelled. */
export const startDrawing = (map: L.Map, tool: Tool, on: DrawingEvents): Drawing => {
  const layers = L.layerGroup().addTo(map);
  const points: L.LatLng[] = [];
  let mouse: L.LatLng | null = null;
  map.getContainer().classList.add('drawing');
  map.doubleClickZoom.disable();

  const redraw = () => {
    layers.clearLayers();
    if (tool === 'polygon') {
      const line = mouse ? [...points, mouse] : points;
      if (line.length > 1) layers.addLayer(L.polygon(line, PREVIEW));
      points.forEach((p, i) => layers.addLayer(L.circleMarker(p, { radius: i === 0 ? 6 : 4, color: '#ea580c', fillColor: '#fff', fillOpacity: 1, weight: 2, interactive: false })));
    } else if (points.length === 1) {
      layers.addLayer(L.circle(points[0], { ...PREVIEW, radius: mouse ? map.distance(points[0], mouse) : 0 }));
      layers.addLayer(L.circleMarker(points[0], { radius: 4, color: '#ea580c', fillColor: '#fff', fillOpacity: 1, weight: 2, interactive: false }));
    }
  };

  const stop = () => {
    map.off('click', onClick);
    map.off('mousemove', onMove);
    document.removeEventListener('keydown', onKey);
    map.getContainer().classList.remove('drawing');
    map.doubleClickZoom.enable();
    layers.remove();
  };

  const finish = () => {
    if (tool !== 'polygon' || points.length < 3) return;
    stop();
    on.done({ kind: 'polygon', points: points.map((p) => ({ lat: p.lat, lng: p.lng })) });
  };

  const onClick = (e: L.LeafletMouseEvent) => {
    if (tool === 'circle') {
      if (points.length === 0) {
        points.push(e.latlng);
        on.points(1);
        redraw();
        return;
      }
      stop();
      on.done({ kind: 'circle', center: { lat: points[0].lat, lng: points[0].lng }, radius: map.distance(points[0], e.latlng) });
      return;
    }
    if (points.length >= 3 && map.latLngToContainerPoint(points[0]).distanceTo(e.containerPoint) <= CLOSE_PX) return finish();
    points.push(e.latlng);
    on.points(points.length);
    redraw();
  };
  const onMove = (e: L.LeafletMouseEvent) => {
    mouse = e.latlng;
    redraw();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      stop();
      on.cancelled();
    } else if (e.key === 'Enter') finish();
    else if (e.key === 'Backspace' && points.length > 0 && !(e.target instanceof HTMLInputElement)) {
      points.pop();
      on.points(points.length);
      redraw();
    }
  };

  map.on('click', onClick);
  map.on('mousemove', onMove);
  document.addEventListener('keydown', onKey);
  return {
    finish,
    cancel: stop,
  };
};
