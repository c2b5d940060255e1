// The shell: pick a name, then one connection for the three views.
import { useEffect, useState } from 'react';
import { Rusher, createRusher, socketUrl, tokenUser } from '../rusher';
import { ChatView } from '../chat/ChatView';
import { EditorView } from '../editor/EditorView';
import { MapView } from '../map/MapView';
import { Login } from './Login';
import { Toasts } from './Toasts';
import { TopBar } from './TopBar';
import { load, save } from './storage';
import { useRoute } from './route';
import { useObservable } from './use-observable';

const USER_KEY = 'rusher.user';

/** The page is served by the Rusher server itself, so its socket is on the same host. */
const serverBase = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;

const TOKEN_KEY = 'rusher.token';

/**
 * A server with token auth wants a JWT: open the page as `/?token=<JWT>` (your app's
 * backend mints it). The token is kept for this tab and taken out of the address bar, so
 * that it is not bookmarked or shared. Without one, the name picked on the login screen is used.
 */
const pageToken = (): string | undefined => {
  const given = new URLSearchParams(location.search).get('token');
  if (given !== null) {
    sessionStorage.setItem(TOKEN_KEY, given);
    history.replaceState(null, '', location.pathname + location.hash);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
};

export const App = () => {
  const [user, setUser] = useState<string>(() => load(USER_KEY, ''));
  const token = pageToken();
  const signedIn = token === undefined ? undefined : tokenUser(token);
  if (token !== undefined && signedIn !== undefined) {
    return (
      <Workspace
        key={signedIn}
        user={signedIn}
        token={token}
        onSignOut={() => {
          sessionStorage.removeItem(TOKEN_KEY);
          location.reload();
        }}
      />
    );
  }
  if (!user) {
    return (
      <Login
        initial={load('rusher.lastUser', '')}
        onLogin={(name) => {
          save(USER_KEY, name);
          save('rusher.lastUser', name);
          setUser(name);
        }}
      />
    );
  }
  return (
    <Workspace
      key={user}
      user={user}
      onSignOut={() => {
        save(USER_KEY, undefined);
        setUser('');
      }}
    />
  );
};

const Workspace = ({ user, token, onSignOut }: { user: string; token?: string; onSignOut: () => void }) => {
  const [rusher, setRusher] = useState<Rusher | null>(null);
  useEffect(() => {
    const r = createRusher({ url: socketUrl(serverBase(), token === undefined ? user : { token }) });
    setRusher(r);
    return () => r.close();
  }, [user, token]);
  const route = useRoute();
  const state = useObservable(rusher?.state$ ?? null, { status: 'connecting', attempt: 1 });
  if (rusher === null) return null;
  return (
    <div className="app">
      <TopBar route={route} user={user} state={state} onSignOut={onSignOut} />
      {state.status !== 'open' && (
        <div className="offline-banner" role="alert">
          You are offline. Messages and edits you make now are sent when the connection is back.
        </div>
      )}
      <div className="views">
        <ChatView rusher={rusher} user={user} route={route} visible={route.view === 'chat'} />
        <EditorView rusher={rusher} user={user} route={route} visible={route.view === 'docs'} />
        <MapView rusher={rusher} user={user} visible={route.view === 'map'} />
      </div>
      <Toasts rusher={rusher} />
    </div>
  );
};
