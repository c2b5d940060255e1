import type { ConnectionState } from '../rusher';
import { Avatar } from './Avatar';
import { ConnectionBadge } from './ConnectionBadge';
import { Route, routeHref } from './route';

const TABS = [
  { view: 'chat', label: 'Chat' },
  { view: 'docs', label: 'Documents' },
  { view: 'map', label: 'Map' },
  { view: 'feed', label: 'Feed' },
] as const;

export const TopBar = ({ route, user, state, onSignOut }: { route: Route; user: string; state: ConnectionState; onSignOut: () => void }) => (
  <header className="topbar">
    <div className="brand">
      <span className="brand-mark">R</span> Rusher
    </div>
    <nav className="tabs" aria-label="Views">
      {TABS.map((t) => (
        <a key={t.view} href={routeHref({ view: t.view })} className={route.view === t.view ? 'tab tab-active' : 'tab'} aria-current={route.view === t.view ? 'page' : undefined}>
          {t.label}
        </a>
      ))}
    </nav>
    <div className="topbar-right">
      <ConnectionBadge state={state} />
      <span className="me">
        <Avatar name={user} size={26} />
        <span className="me-name">{user}</span>
      </span>
      <button className="button button-ghost" onClick={onSignOut} title="Use another name">
        Switch user
      </button>
    </div>
  </header>
);
