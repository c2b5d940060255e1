// How a notification group reads: "bob and cid liked your post".
import type { NotificationGroup } from '../rusher';

export const whoDid = (g: NotificationGroup): string => {
  const [first, second] = g.actors;
  if (g.actor_count === 1) return first;
  if (g.actor_count === 2 && second !== undefined) return `${first} and ${second}`;
  const others = g.actor_count - 1;
  return `${first} and ${others} other${others === 1 ? '' : 's'}`;
};

export const whatHappened = (g: NotificationGroup): string =>
  g.verb === 'follow' ? 'followed you' : g.verb === 'like' ? 'liked your post' : `reacted with “${g.verb.replace(/_/g, ' ')}” to your post`;
