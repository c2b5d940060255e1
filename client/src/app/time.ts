// Times as people read them in a chat or an event feed.
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const clockSeconds = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });

export const formatTime = (at: number): string => clock.format(at);
export const formatClock = (at: number): string => clockSeconds.format(at);

export const formatDay = (at: number, now = Date.now()): string => {
  const d = new Date(at).toDateString();
  if (d === new Date(now).toDateString()) return 'Today';
  if (d === new Date(now - 86_400_000).toDateString()) return 'Yesterday';
  return day.format(at);
};
