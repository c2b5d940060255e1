// Importing a GeoJSON file by dropping it on the map: every Polygon and MultiPolygon
// becomes a fence through fence.create (Fences.importGeoJson), and the panel says what
// was created, repaired and refused, with the server's reasons.
import { DragEvent, useState } from 'react';
import type { Fence, ImportSummary, Rusher } from '../rusher';

export interface ImportOptions {
  readonly repair: boolean;
  readonly nameProperty: string;
}

type ImportState =
  | { readonly status: 'idle' }
  | { readonly status: 'importing'; readonly file: string }
  | { readonly status: 'done'; readonly file: string; readonly summary: ImportSummary }
  | { readonly status: 'failed'; readonly file: string; readonly error: string };

const isFileDrag = (e: DragEvent) => [...e.dataTransfer.types].includes('Files');

/** Drop handling for the map area, and the state the panel shows. */
export const useGeoJsonDrop = (rusher: Rusher, options: ImportOptions, onCreated: (fences: readonly Fence[]) => void) => {
  const [dropping, setDropping] = useState(false);
  const [state, setState] = useState<ImportState>({ status: 'idle' });

  const importFile = async (file: File) => {
    setState({ status: 'importing', file: file.name });
    try {
      const json: unknown = JSON.parse(await file.text());
      const { summary, created } = await rusher.fences.importGeoJson(json, { repair: options.repair, nameProperty: options.nameProperty || 'name' });
      onCreated(created);
      setState({ status: 'done', file: file.name, summary });
    } catch (e) {
      setState({ status: 'failed', file: file.name, error: e instanceof SyntaxError ? `not JSON: ${e.message}` : (e as Error).message });
    }
  };

  const dropProps = {
    onDragOver: (e: DragEvent) => {
      if (!isFileDrag(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      setDropping(true);
    },
    onDragLeave: (e: DragEvent) => {
      if (e.currentTarget === e.target || !e.currentTarget.contains(e.relatedTarget as Node | null)) setDropping(false);
    },
    onDrop: (e: DragEvent) => {
      if (!isFileDrag(e)) return;
      e.preventDefault();
      setDropping(false);
      const file = e.dataTransfer.files[0];
      if (file) void importFile(file);
    },
  };
  return { dropping, state, dropProps };
};

export const ImportPanel = ({ options, onOptions, state }: { options: ImportOptions; onOptions: (o: ImportOptions) => void; state: ImportState }) => (
  <section className="import-panel" aria-label="Import GeoJSON">
    <h2 className="sidebar-title">Import GeoJSON</h2>
    <p className="sidebar-note">Drop a .geojson file on the map: each Polygon and MultiPolygon becomes a fence.</p>
    <label className="field">
      <span>Name from property</span>
      <input value={options.nameProperty} onChange={(e) => onOptions({ ...options, nameProperty: e.target.value })} aria-label="Name property" placeholder="name" />
    </label>
    <label className="check">
      <input type="checkbox" checked={options.repair} onChange={(e) => onOptions({ ...options, repair: e.target.checked })} />
      Repair invalid shapes
    </label>
    {state.status === 'importing' && (
      <p className="sidebar-note" role="status">
        Importing {state.file} …
      </p>
    )}
    {state.status === 'failed' && (
      <div className="notice notice-error" role="alert">
        {state.file}: {state.error}
      </div>
    )}
    {state.status === 'done' && <ImportReport file={state.file} summary={state.summary} />}
  </section>
);

const ImportReport = ({ file, summary }: { file: string; summary: ImportSummary }) => (
  <div className="import-report" role="status" aria-label="Import summary">
    <p className="import-counts">
      <b>{file}</b>: <span data-count="created">{summary.created} created</span> · <span data-count="repaired">{summary.repaired} repaired</span> ·{' '}
      <span data-count="refused">{summary.refused.length} refused</span>
      {summary.skipped.length > 0 && <> · {summary.skipped.length} skipped</>}
    </p>
    {(summary.refused.length > 0 || summary.skipped.length > 0) && (
      <ul className="import-problems">
        {summary.refused.map((r, i) => (
          <li key={`r${i}`} data-refused={r.name}>
            <b>{r.name}</b> refused: {r.reason}
          </li>
        ))}
        {summary.skipped.map((s) => (
          <li key={`s${s.feature}`}>
            Feature {s.feature} skipped: {s.reason}
          </li>
        ))}
      </ul>
    )}
  </div>
);
