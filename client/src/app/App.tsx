// The shell: pick a name, then one connection for the four views.
import { useEffect, useState } from 'react';
import { Rusher, createRusher, socketUrl } from '../rusher';
import { ChatView } from '../chat/ChatView';
import { EditorView } from '../editor/EditorView';
import { MapView } from '../map/MapView';
import { FeedView } from '../feed/FeedView';
import { Login } from './Login';
import { Toasts } from './Toasts';
import { TopBar } from './TopBar';
import { load, save } from './storage';
import { useRoute } from './route';
import { useObservable } from './use-observable';

const USER_KEY = 'rusher.user';

/** The page is served by the Rusher server itself, so its socket is on the same host. */
const serverBase = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;

export const App = () => {
  const [user, setUser] = useState<string>(() => load(USER_KEY, ''));
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

const Workspace = ({ user, onSignOut }: { user: string; onSignOut: () => void }) => {
  const [rusher, setRusher] = useState<Rusher | null>(null);
  useEffect(() => {
    const r = createRusher({ url: socketUrl(serverBase(), user) });
    setRusher(r);
    return () => r.close();
  }, [user]);
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
        <FeedView rusher={rusher} user={user} visible={route.view === 'feed'} />
      </div>
      <Toasts rusher={rusher} />
    </div>
  );
};
