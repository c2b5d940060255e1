// A room's messages as the client holds them: by seq, without duplicates, oldest first.
import type { Message } from './frames';

/** `known` and `incoming` merged; a seq seen twice is kept once. */
export const mergeMessages = (known: readonly Message[], incoming: readonly Message[]): readonly Message[] => {
  if (incoming.length === 0) return known;
  const last = known.length === 0 ? 0 : known[known.length - 1].seq;
  // The common case, one live message after the last one, needs no sort.
  if (incoming.length === 1 && incoming[0].seq === last + 1) return [...known, incoming[0]];
  const bySeq = new Map<number, Message>();
  for (const m of known) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
};

/** The highest seq held: what `room.join` `since` resumes from. */
export const lastSeq = (messages: readonly Message[]): number | undefined =>
  messages.length === 0 ? undefined : messages[messages.length - 1].seq;
