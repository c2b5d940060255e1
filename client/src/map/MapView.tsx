// Geofences: draw, import (drop a GeoJSON file) and delete fences, drive simulated
// devices, watch enter/exit/dwell events arrive. The map needs no tile server: fences
// and devices sit on a lat/lng grid.
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { FormEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Fence, FenceEvent, Rusher } from '../rusher';
import { colorFor } from '../app/colors';
import { load, save } from '../app/storage';
import { formatClock } from '../app/time';
import { Drawing, Drawn, Tool, startDrawing } from './draw';
import { Point, circleShape, describeShape, fenceLayer, polygonShape } from './geo';
import { ImportOptions, ImportPanel, useGeoJsonDrop } from './importing';
import { attachGrid } from './grid';
import { devicesAround, drive } from './simulation';

const VIEW_KEY = 'rusher.map.view';
const TILES_KEY = 'rusher.map.tiles';
const IMPORT_KEY = 'rusher.map.import';
const DEFAULT_VIEW = { lat: 48.8584, lng: 2.2945, zoom: 15 };
const TRAIL = 30;
const FEED = 100;

interface DeviceView {
  readonly id: string;
  readonly lat: number;
  readonly lng: number;
  readonly at: number;
  /** Driven by this page's simulation (others' devices are known from their events). */
  readonly own: boolean;
  readonly trail: readonly Point[];
}

interface FeedItem extends FenceEvent {
  readonly key: number;
}

const EVENT_TEXT = { enter: 'entered', exit: 'left', dwell: 'is dwelling in' } as const;

export const MapView = ({ rusher, user, visible }: { rusher: Rusher; user: string; visible: boolean }) => {
  const host = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<L.Map | null>(null);
  const [fences, setFences] = useState<readonly Fence[]>([]);
  const [inside, setInside] = useState<ReadonlyMap<string, ReadonlySet<string>>>(new Map());
  const [devices, setDevices] = useState<ReadonlyMap<string, DeviceView>>(new Map());
  const [feed, setFeed] = useState<readonly FeedItem[]>([]);
  const [listError, setListError] = useState<string | null>(null);
  const [simulating, setSimulating] = useState(false);
  const [simError, setSimError] = useState<string | null>(null);
  const [tiles, setTiles] = useState<string>(() => load(TILES_KEY, ''));
  const [importOptions, setImportOptions] = useState<ImportOptions>(() => load(IMPORT_KEY, { repair: true, nameProperty: 'name' }));

  // The map itself, once.
  useEffect(() => {
    const el = host.current;
    if (!el) return undefined;
    const view = load(VIEW_KEY, DEFAULT_VIEW);
    const m = L.map(el, { center: [view.lat, view.lng], zoom: view.zoom, attributionControl: false, zoomControl: false, zoomSnap: 0.5 });
    L.control.zoom({ position: 'bottomright' }).addTo(m);
    const detachGrid = attachGrid(m);
    m.on('moveend', () => save(VIEW_KEY, { ...m.getCenter(), zoom: m.getZoom() }));
    setMap(m);
    return () => {
      detachGrid();
      m.remove();
      setMap(null);
    };
  }, []);

  // Leaflet measures its box when shown; a hidden tab has none.
  useEffect(() => {
    if (visible) map?.invalidateSize();
  }, [map, visible]);

  // Optional tiles, for those who run a tile server.
  useEffect(() => {
    if (!map || !tiles) return undefined;
    const layer = L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
    return () => void layer.remove();
  }, [map, tiles]);

  const refresh = useCallback(() => {
    rusher.fences.list().then(
      (list) => {
        setFences(list);
        setListError(null);
      },
      (e: Error) => setListError(e.message),
    );
  }, [rusher]);

  // The fence list on every (re)connect: fences made by others come with it.
  useEffect(() => {
    const sub = rusher.connection.session$.subscribe(refresh);
    return () => sub.unsubscribe();
  }, [rusher, refresh]);

  const known = useRef(new Set<string>());
  known.current = new Set(fences.map((f) => f.id));

  // Live events of every fence.
  useEffect(() => {
    let key = 0;
    const sub = rusher.fences.events('*').subscribe((e) => {
      if (!known.current.has(e.fence)) refresh();
      setFeed((f) => [{ ...e, key: ++key }, ...f].slice(0, FEED));
      setInside((m) => {
        const next = new Map(m);
        const set = new Set(next.get(e.fence));
        if (e.event === 'exit') set.delete(e.device);
        else set.add(e.device);
        next.set(e.fence, set);
        return next;
      });
      setDevices((d) => {
        const prev = d.get(e.device);
        if (prev?.own) return d;
        return new Map(d).set(e.device, { id: e.device, lat: e.lat, lng: e.lng, at: e.at, own: false, trail: [...(prev?.trail ?? []), e].slice(-TRAIL) });
      });
    });
    return () => sub.unsubscribe();
  }, [rusher, refresh]);

  // The simulation: positions move every second; updates are sent while connected.
  useEffect(() => {
    if (!simulating || !map) return undefined;
    const size = map.getSize();
    const center = map.getCenter();
    const radius = map.distance(center, map.containerPointToLatLng([size.x / 2 + 0.35 * Math.min(size.x, size.y), size.y / 2]));
    const sub = drive(devicesAround(user, center, radius)).subscribe((fixes) => {
      const online = rusher.connection.current() !== null;
      for (const fix of fixes) if (online) rusher.fences.location(fix).then(() => setSimError(null), (e: Error) => setSimError(e.message));
      setDevices((d) => {
        const next = new Map(d);
        for (const f of fixes) next.set(f.device, { id: f.device, lat: f.lat, lng: f.lng, at: f.at, own: true, trail: [...(d.get(f.device)?.trail ?? []), f].slice(-TRAIL) });
        return next;
      });
    });
    return () => sub.unsubscribe();
  }, [simulating, map, rusher, user]);

  // Imported fences join the list and the map shows them all.
  const { dropping, state: importState, dropProps } = useGeoJsonDrop(rusher, importOptions, (created) => {
    if (created.length === 0) return;
    const ids = new Set(created.map((f) => f.id));
    setFences((fs) => [...fs.filter((f) => !ids.has(f.id)), ...created]);
    map?.fitBounds(L.featureGroup(created.map((f) => fenceLayer(f, {}))).getBounds(), { padding: [30, 30] });
  });

  useFenceLayers(map, fences, inside);
  useDeviceLayers(map, devices);

  const remove = (id: string) =>
    rusher.fences.delete(id).then(
      () => setFences((fs) => fs.filter((f) => f.id !== id)),
      (e: Error) => setListError(e.message),
    );

  const names = useMemo(() => new Map(fences.map((f) => [f.id, f.name])), [fences]);
  const insideOf = (device: string) => [...inside].filter(([, set]) => set.has(device)).map(([fence]) => names.get(fence) ?? fence);

  return (
    <section className="view map-view" hidden={!visible} aria-label="Map">
      <aside className="sidebar map-sidebar">
        <FenceDrawer map={map} rusher={rusher} count={fences.length} onCreated={(f) => setFences((fs) => [...fs.filter((x) => x.id !== f.id), f])} />

        <ImportPanel
          options={importOptions}
          onOptions={(o) => {
            setImportOptions(o);
            save(IMPORT_KEY, o);
          }}
          state={importState}
        />

        <h2 className="sidebar-title">Fences · {fences.length}</h2>
        {listError && (
          <div className="notice notice-error" role="alert">
            {listError}
          </div>
        )}
        {fences.length === 0 && <p className="sidebar-note">No fences yet. Draw one on the map, or drop a GeoJSON file on it.</p>}
        <ul className="fence-list">
          {fences.map((f) => (
            <li key={f.id} className="fence-item">
              <button className="fence-name" onClick={() => map?.fitBounds(fenceLayer(f, {}).getBounds(), { maxZoom: 17, padding: [40, 40] })} title="Show on the map">
                <span className={(inside.get(f.id)?.size ?? 0) > 0 ? 'fence-swatch fence-swatch-active' : 'fence-swatch'} />
                {f.name || f.id}
              </button>
              <span className="fence-meta">
                {describeShape(f.shape)}
                {f.dwellMs ? ` · dwell ${Math.round(f.dwellMs / 1000)} s` : ''}
                {(inside.get(f.id)?.size ?? 0) > 0 ? ` · ${inside.get(f.id)?.size} inside` : ''}
              </span>
              <button className="icon-button" onClick={() => void remove(f.id)} aria-label={`Delete ${f.name || f.id}`} title="Delete fence">
                <TrashIcon />
              </button>
            </li>
          ))}
        </ul>

        <h2 className="sidebar-title">Devices · {devices.size}</h2>
        <button className={simulating ? 'button button-wide button-danger' : 'button button-wide button-primary'} onClick={() => setSimulating((s) => !s)} aria-pressed={simulating}>
          {simulating ? 'Stop simulation' : 'Simulate devices'}
        </button>
        <p className="sidebar-note">Three devices drive around the centre of the map and report where they are every second.</p>
        {simError && (
          <div className="notice notice-error" role="alert">
            {simError}
          </div>
        )}
        <ul className="device-list">
          {[...devices.values()].map((d) => (
            <li key={d.id} className="device-item">
              <span className="device-dot" style={{ background: colorFor(d.id) }} />
              <span className="device-name">{d.id}</span>
              <span className="device-meta">{insideOf(d.id).join(', ') || 'outside'}</span>
            </li>
          ))}
        </ul>

        <details className="settings">
          <summary>Map background</summary>
          <TileSetting
            value={tiles}
            onChange={(t) => {
              setTiles(t);
              save(TILES_KEY, t || undefined);
            }}
          />
        </details>
      </aside>
      {/* The map's own element keeps a fixed className: Leaflet adds classes to it that React must not reset. */}
      <div className={dropping ? 'map-area map-area-dropping' : 'map-area'} {...dropProps}>
        <div className="map" ref={host} />
        {dropping && <div className="drop-hint">Drop a GeoJSON file to import its polygons as fences</div>}
        <section className="feed" aria-label="Fence events">
          <h2 className="feed-title">
            Events <span className="live-dot" /> live
          </h2>
          {feed.length === 0 && <p className="feed-empty">Enter, exit and dwell events of every fence show here as they happen.</p>}
          <ol className="feed-list">
            {feed.map((e) => (
              <li key={e.key} className={`feed-item feed-${e.event}`} data-event={e.event}>
                <span className="feed-kind">{e.event}</span>
                <span className="feed-text">
                  <b>{e.device}</b> {EVENT_TEXT[e.event]} <b>{names.get(e.fence) ?? e.fence}</b>
                </span>
                <time className="feed-time">{formatClock(e.at)}</time>
              </li>
            ))}
          </ol>
        </section>
      </div>
    </section>
  );
};

/** The draw buttons, the hints while drawing, and the form that names and saves the shape. */
const FenceDrawer = ({ map, rusher, count, onCreated }: { map: L.Map | null; rusher: Rusher; count: number; onCreated: (f: Fence) => void }) => {
  const [tool, setTool] = useState<Tool | null>(null);
  const [points, setPoints] = useState(0);
  const [drawn, setDrawn] = useState<Drawn | null>(null);
  const [name, setName] = useState('');
  const [dwell, setDwell] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const drawing = useRef<Drawing | null>(null);
  // Only names the next fence: a fence saved meanwhile must not restart a drawing.
  const next = useRef(count + 1);
  next.current = count + 1;

  useEffect(() => {
    if (!map || !tool) return undefined;
    setPoints(0);
    drawing.current = startDrawing(map, tool, {
      done: (shape) => {
        setTool(null);
        setDrawn(shape);
        setName((n) => n || `Zone ${next.current}`);
        setError(null);
      },
      points: setPoints,
      cancelled: () => setTool(null),
    });
    return () => {
      drawing.current?.cancel();
      drawing.current = null;
    };
  }, [map, tool]);

  // The shape waiting for its name stays on the map.
  useEffect(() => {
    if (!map || !drawn) return undefined;
    const style = { color: '#ea580c', weight: 2, dashArray: '6 6', fillOpacity: 0.1, interactive: false };
    const layer = drawn.kind === 'circle' ? L.circle([drawn.center.lat, drawn.center.lng], { ...style, radius: drawn.radius }) : L.polygon(drawn.points.map((p) => [p.lat, p.lng]), style);
    layer.addTo(map);
    return () => void layer.remove();
  }, [map, drawn]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!drawn) return;
    const shape = drawn.kind === 'polygon' ? polygonShape(drawn.points) : circleShape(drawn.center, drawn.radius);
    // What was typed goes as typed: the server's error says what is wrong with it.
    const dwellMs = dwell.trim() === '' ? undefined : Math.round(Number(dwell) * 1000);
    setSaving(true);
    rusher.fences.create({ name: name.trim(), shape, ...(dwellMs === undefined ? {} : { dwellMs }) }).then(
      (f) => {
        onCreated(f);
        setDrawn(null);
        setName('');
        setDwell('');
        setSaving(false);
      },
      (err: Error) => {
        setError(err.message);
        setSaving(false);
      },
    );
  };

  return (
    <div className="drawer">
      <h2 className="sidebar-title">Draw a fence</h2>
      <div className="button-row">
        <button className={tool === 'polygon' ? 'button button-active' : 'button'} onClick={() => setTool(tool === 'polygon' ? null : 'polygon')} aria-pressed={tool === 'polygon'}>
          <PolygonIcon /> Polygon
        </button>
        <button className={tool === 'circle' ? 'button button-active' : 'button'} onClick={() => setTool(tool === 'circle' ? null : 'circle')} aria-pressed={tool === 'circle'}>
          <CircleIcon /> Circle
        </button>
      </div>
      {tool && (
        <div className="draw-hint" role="status">
          {tool === 'circle'
            ? points === 0
              ? 'Click the centre of the circle.'
              : 'Click again where its edge should be.'
            : points < 3
              ? `Click to place points (${points} so far, at least 3).`
              : 'Click the first point or press Enter to close the polygon.'}
          <span className="draw-hint-keys">Esc cancels{tool === 'polygon' ? ', Backspace removes the last point' : ''}.</span>
          {tool === 'polygon' && points >= 3 && (
            <button className="button button-small" onClick={() => drawing.current?.finish()}>
              Finish
            </button>
          )}
        </div>
      )}
      {drawn && (
        <form className="fence-form" onSubmit={submit}>
          <label className="field">
            <span>Name</span>
            <input value={name} onChange={(e) => setName(e.target.value)} aria-label="Fence name" autoFocus />
          </label>
          <label className="field">
            <span>Dwell after (seconds, optional)</span>
            <input value={dwell} onChange={(e) => setDwell(e.target.value)} inputMode="numeric" aria-label="Dwell seconds" placeholder="e.g. 10" />
          </label>
          {error && (
            <div className="notice notice-error" role="alert">
              {error}
            </div>
          )}
          <div className="button-row">
            <button className="button button-primary" type="submit" disabled={saving}>
              {saving ? 'Saving…' : 'Save fence'}
            </button>
            <button className="button" type="button" onClick={() => setDrawn(null)}>
              Discard
            </button>
          </div>
        </form>
      )}
    </div>
  );
};

const TileSetting = ({ value, onChange }: { value: string; onChange: (v: string) => void }) => {
  const [text, setText] = useState(value);
  return (
    <form
      className="tile-setting"
      onSubmit={(e) => {
        e.preventDefault();
        onChange(text.trim());
      }}
    >
      <label className="field">
        <span>Tile URL template (optional)</span>
        <input value={text} onChange={(e) => setText(e.target.value)} placeholder="https://tiles.example.org/{z}/{x}/{y}.png" aria-label="Tile URL" />
      </label>
      <p className="sidebar-note">Empty: a plain grid, with no tile server needed.</p>
      <button className="button button-small" type="submit">
        Apply
      </button>
    </form>
  );
};

/** Fences on the map, filled stronger while a device is inside. */
const useFenceLayers = (map: L.Map | null, fences: readonly Fence[], inside: ReadonlyMap<string, ReadonlySet<string>>) => {
  useEffect(() => {
    if (!map) return undefined;
    const group = L.layerGroup().addTo(map);
    for (const f of fences) {
      const active = (inside.get(f.id)?.size ?? 0) > 0;
      const layer = fenceLayer(f, { color: active ? '#059669' : '#4f46e5', weight: 2, fillOpacity: active ? 0.28 : 0.12, className: 'fence-shape' });
      layer.bindTooltip(f.name || f.id, { permanent: true, direction: 'center', className: 'fence-label' });
      group.addLayer(layer);
    }
    return () => void group.remove();
  }, [map, fences, inside]);
};

/** Devices as dots with their recent trail; moved in place so tooltips do not flicker. */
const useDeviceLayers = (map: L.Map | null, devices: ReadonlyMap<string, DeviceView>) => {
  const layers = useRef(new Map<string, { dot: L.CircleMarker; trail: L.Polyline }>());
  useEffect(() => {
    if (!map) return;
    for (const d of devices.values()) {
      const color = colorFor(d.id);
      let l = layers.current.get(d.id);
      if (!l) {
        l = {
          trail: L.polyline([], { color, weight: 2, opacity: 0.45, dashArray: d.own ? undefined : '4 4', interactive: false }).addTo(map),
          dot: L.circleMarker([d.lat, d.lng], { radius: 7, color: '#fff', weight: 2, fillColor: color, fillOpacity: 1 })
            .bindTooltip(d.id, { permanent: true, direction: 'right', offset: [8, 0], className: 'device-label' })
            .addTo(map),
        };
        layers.current.set(d.id, l);
      }
      l.dot.setLatLng([d.lat, d.lng]);
      l.trail.setLatLngs(d.trail.map((p) => [p.lat, p.lng]));
    }
  }, [map, devices]);
  useEffect(
    () => () => {
      for (const l of layers.current.values()) {
        l.dot.remove();
        l.trail.remove();
      }
      layers.current.clear();
    },
    [map],
  );
};

const TrashIcon = () => (
  <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" aria-hidden="true">
    <path d="M3 6h18M8 6V4h8v2M6 6l1 14h10l1-14M10 11v6M14 11v6" />
  </svg>
);

const PolygonIcon = () => (
  <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" aria-hidden="true">
    <path d="M12 3l8 6-3 11H7L4 9z" />
  </svg>
);

const CircleIcon = () => (
  <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
    <circle cx="12" cy="12" r="8" />
  </svg>
);
