// The view in the address bar (#/chat/lobby, #/docs/notes, #/map, #/feed), so reloads and links keep it.
import { useEffect, useState } from 'react';

export type Route = { readonly view: 'chat'; readonly room?: string } | { readonly view: 'docs'; readonly doc?: string } | { readonly view: 'map' } | { readonly view: 'feed' };

export const parseRoute = (hash: string): Route => {
  const [view, id] = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (view === 'docs') return id ? { view, doc: id } : { view };
  if (view === 'map' || view === 'feed') return { view };
  return id ? { view: 'chat', room: id } : { view: 'chat' };
};

export const routeHref = (r: Route): string => {
  const id = r.view === 'chat' ? r.room : r.view === 'docs' ? r.doc : undefined;
  return `#/${r.view}${id ? `/${encodeURIComponent(id)}` : ''}`;
};

export const useRoute = (): Route => {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
};

export const go = (r: Route): void => {
  location.hash = routeHref(r);
};
