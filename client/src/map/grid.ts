// A latitude/longitude grid, so the map reads as a map without any tile server.
import L from 'leaflet';

const STEPS = [30, 10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005, 0.0002, 0.0001];
/** About this many lines across the view. */
const LINES = 4;

const decimals = (step: number) => Math.max(0, -Math.floor(Math.log10(step)));
const label = (v: number, step: number, pos: string, neg: string) => `${Math.abs(v).toFixed(decimals(step))}°${v >= 0 ? pos : neg}`;

/** Draws the grid on `map`, again after every move; returns what removes it. */
export const attachGrid = (map: L.Map): (() => void) => {
  const group = L.layerGroup().addTo(map);
  const draw = () => {
    group.clearLayers();
    const b = map.getBounds();
    const span = Math.max(b.getEast() - b.getWest(), b.getNorth() - b.getSouth());
    const step = STEPS.find((s) => span / s >= LINES) ?? STEPS[STEPS.length - 1];
    const line = { color: '#94a3b8', weight: 1, opacity: 0.35, interactive: false };
    // Lines reach a view beyond each edge, so a drag does not show their ends.
    const south = Math.max(-90, b.getSouth() - span);
    const north = Math.min(90, b.getNorth() + span);
    const west = b.getWest() - span;
    const east = b.getEast() + span;
    const corner = map.containerPointToLatLng([6, 6]);
    // Labels sit along the top and left edges; those that would run into the corner are left out.
    const mark = (at: L.LatLngExpression, className: string, text: string) => {
      const p = map.latLngToContainerPoint(at);
      if (p.x < 70 && p.y < 24) return;
      group.addLayer(L.marker(at, { interactive: false, keyboard: false, icon: L.divIcon({ className: `grid-label ${className}`, html: text, iconSize: [0, 0] }) }));
    };
    for (let lat = Math.ceil(south / step) * step; lat <= north; lat += step) {
      group.addLayer(L.polyline([[lat, west], [lat, east]], line));
      mark([lat, corner.lng], 'grid-label-lat', label(lat, step, 'N', 'S'));
    }
    for (let lng = Math.ceil(west / step) * step; lng <= east; lng += step) {
      group.addLayer(L.polyline([[south, lng], [north, lng]], line));
      mark([corner.lat, lng], 'grid-label-lng', label(lng, step, 'E', 'W'));
    }
  };
  draw();
  map.on('moveend zoomend resize', draw);
  return () => {
    map.off('moveend zoomend resize', draw);
    group.remove();
  };
};
