// Errors from the server that answer no request of a view (rate limits, say).
import { useEffect, useState } from 'react';
import type { Rusher } from '../rusher';

interface Toast {
  readonly id: number;
  readonly text: string;
}

export const Toasts = ({ rusher }: { rusher: Rusher }) => {
  const [toasts, setToasts] = useState<readonly Toast[]>([]);
  useEffect(() => {
    let next = 0;
    const sub = rusher.errors$.subscribe((e) => {
      const id = ++next;
      setToasts((t) => [...t.slice(-3), { id, text: e.message }]);
      setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), 6000);
    });
    return () => sub.unsubscribe();
  }, [rusher]);
  return (
    <div className="toasts" aria-live="assertive">
      {toasts.map((t) => (
        <div key={t.id} className="toast" role="alert">
          {t.text}
        </div>
      ))}
    </div>
  );
};
