// Where the socket stands: connected, connecting, or waiting to retry (with a countdown).
import { useEffect, useState } from 'react';
import type { ConnectionState } from '../rusher';

const useNow = (active: boolean) => {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [active]);
  return now;
};

const describeConnection = (s: ConnectionState, now: number): { tone: 'ok' | 'busy' | 'down'; text: string } => {
  switch (s.status) {
    case 'open':
      return { tone: 'ok', text: 'Connected' };
    case 'connecting':
      return { tone: 'busy', text: s.attempt > 1 ? `Reconnecting… (attempt ${s.attempt})` : 'Connecting…' };
    case 'waiting':
      return { tone: 'down', text: `Offline · retrying in ${Math.max(1, Math.ceil((s.retryAt - now) / 1000))} s` };
    case 'closed':
      return { tone: 'down', text: 'Disconnected' };
  }
};

export const ConnectionBadge = ({ state }: { state: ConnectionState }) => {
  const now = useNow(state.status === 'waiting');
  const { tone, text } = describeConnection(state, now);
  return (
    <span className={`badge badge-${tone}`} role="status" aria-live="polite" data-connection={state.status}>
      <span className="badge-dot" />
      {text}
    </span>
  );
};
