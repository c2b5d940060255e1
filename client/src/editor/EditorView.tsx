// Documents: the ones you keep open, and the shared editor with everyone's cursors.
import Quill from 'quill';
import 'quill/dist/quill.snow.css';
import { FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { filter } from 'rxjs';
import type { Doc, DocStatus, RemoteCursor, Rusher } from '../rusher';
import { Avatar } from '../app/Avatar';
import { Route, go } from '../app/route';
import { load, save } from '../app/storage';
import { useObservable } from '../app/use-observable';
import { RemoteCursors } from './RemoteCursors';
import { bindQuill } from './quill-binding';

const DEFAULT_DOCS = ['welcome'];

const TOOLBAR = [
  [{ header: [1, 2, 3, false] }],
  ['bold', 'italic', 'underline', 'strike'],
  [{ list: 'ordered' }, { list: 'bullet' }, 'blockquote', 'code-block'],
  ['link', 'clean'],
];

interface Props {
  readonly rusher: Rusher;
  readonly user: string;
  readonly route: Route;
  readonly visible: boolean;
}

const docId = (typed: string) => typed.trim().replace(/\s+/g, '-');

export const EditorView = ({ rusher, user, route, visible }: Props) => {
  const key = `rusher.docs.${user}`;
  const [docs, setDocs] = useState<readonly string[]>(() => load(key, DEFAULT_DOCS));
  const wanted = route.view === 'docs' ? route.doc : undefined;
  const active = wanted ?? docs[0];

  useEffect(() => {
    if (wanted) setDocs((d) => (d.includes(wanted) ? d : [...d, wanted]));
  }, [wanted]);
  useEffect(() => save(key, docs), [key, docs]);

  const close = (id: string) => {
    // Closes once its edits are acked; the list forgets it now.
    void rusher.doc(id).close();
    const rest = docs.filter((d) => d !== id);
    setDocs(rest);
    if (id === active) go({ view: 'docs', doc: rest[0] });
  };

  const shown = active && docs.includes(active) ? active : undefined;
  return (
    <section className="view docs" hidden={!visible} aria-label="Documents">
      <aside className="sidebar">
        <h2 className="sidebar-title">Documents</h2>
        <ul className="room-list">
          {docs.map((d) => (
            <li key={d} className={d === shown ? 'room-item room-item-active' : 'room-item'}>
              <a href={`#/docs/${encodeURIComponent(d)}`} className="room-link">
                <span className="doc-icon" aria-hidden="true" />
                <span className="room-name">{d}</span>
              </a>
              <button className="icon-button room-leave" onClick={() => close(d)} aria-label={`Close ${d}`} title="Close document">
                ×
              </button>
            </li>
          ))}
        </ul>
        <OpenDoc onOpen={(id) => go({ view: 'docs', doc: id })} />
        <p className="sidebar-note">Everyone who opens a document by the same name edits it together.</p>
      </aside>
      {shown ? (
        <DocPanel key={shown} doc={rusher.doc(shown)} user={user} />
      ) : (
        <div className="empty-state">
          <h2>No document open</h2>
          <p>Open or create one on the left.</p>
        </div>
      )}
    </section>
  );
};

const OpenDoc = ({ onOpen }: { onOpen: (id: string) => void }) => {
  const [text, setText] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const id = docId(text);
    if (!id) return;
    onOpen(id);
    setText('');
  };
  return (
    <form className="join-room" onSubmit={submit}>
      <input value={text} onChange={(e) => setText(e.target.value)} placeholder="Open or create a document" aria-label="Document name" />
      <button className="button" type="submit">
        Open
      </button>
    </form>
  );
};

const statusText = (s: DocStatus): { tone: string; text: string } => {
  if (s.error) return { tone: 'down', text: 'Could not open' };
  switch (s.status) {
    case 'opening':
      return { tone: 'busy', text: 'Opening…' };
    case 'offline':
      return { tone: 'down', text: s.pending ? 'Offline · edits will sync' : 'Offline' };
    case 'open':
      return s.pending ? { tone: 'busy', text: 'Saving…' } : { tone: 'ok', text: 'Saved' };
    case 'closed':
      return { tone: 'down', text: 'Closed' };
  }
};

const NO_CURSORS: ReadonlyMap<string, RemoteCursor> = new Map();

const DocPanel = ({ doc, user }: { doc: Doc; user: string }) => {
  const status = useObservable(doc.status$, { status: 'opening', version: 0, pending: false });
  const cursors = useObservable(doc.cursors$, NO_CURSORS);
  const reloads$ = useMemo(() => doc.changes$.pipe(filter((c) => c.kind === 'reset' && c.reason !== undefined)), [doc]);
  const reload = useObservable(reloads$, null);
  const [quill, setQuill] = useState<Quill | null>(null);
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const wrapper = host.current;
    if (!wrapper) return undefined;
    // Quill puts its toolbar beside its element: give it a fresh one inside ours.
    const el = wrapper.appendChild(document.createElement('div'));
    const q = new Quill(el, { theme: 'snow', placeholder: 'Start writing… everyone here sees it as you type.', modules: { toolbar: TOOLBAR, history: { userOnly: true } } });
    const unbind = bindQuill(q, doc);
    setQuill(q);
    return () => {
      unbind();
      setQuill(null);
      wrapper.innerHTML = '';
    };
  }, [doc]);

  const { tone, text } = statusText(status);
  const people = [...cursors.keys()].filter((u) => u !== user);
  return (
    <div className="doc-main">
      <header className="room-header doc-header">
        <h1>{doc.id}</h1>
        <span className={`badge badge-${tone}`} data-doc-status={status.pending ? 'pending' : status.status}>
          <span className="badge-dot" />
          {text}
        </span>
        <span className="doc-version" title="Operations applied to this document">
          v{status.version}
        </span>
        <span className="doc-people" aria-label="Editing now">
          {people.map((p) => (
            <Avatar key={p} name={p} size={26} />
          ))}
        </span>
      </header>
      {status.error && (
        <div className="notice notice-error" role="alert">
          {status.error}
        </div>
      )}
      {reload && reload.kind === 'reset' && (
        <div className="notice notice-warn" role="alert">
          This document was reloaded from the server ({reload.reason}); edits it had not saved yet were lost.
        </div>
      )}
      <div className="paper" ref={host} />
      {quill && <RemoteCursors quill={quill} cursors={cursors} />}
    </div>
  );
};
