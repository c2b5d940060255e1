// Notifications are aggregated: every notification of one verb on one object for one
// recipient within one UTC day joins one group (every `like` of an activity that day,
// every `follow` of the user that day). A group keeps its latest distinct actors (at
// most MAX_ACTORS, the latest first), how many distinct actors it has had and how many
// notifications; each new one makes the group unseen and unread again.
import { formatId } from './activity';

export const DAY_MS = 86_400_000;
export const MAX_ACTORS = 10;

export const dayOf = (at: number): number => Math.floor(at / DAY_MS);

export interface Notification {
  readonly recipient: string;
  readonly verb: string;
  /** An activity's id (as on the wire) for reactions, the recipient's name for follows. */
  readonly object: string;
  /** The activity the notification is about, if any: when it is deleted, its groups go too. */
  readonly activity?: number;
  readonly actor: string;
  readonly at: number;
}

export interface Group {
  readonly id: number;
  readonly recipient: string;
  readonly verb: string;
  readonly object: string;
  readonly activity?: number;
  readonly day: number;
  /** Distinct, the latest first. */
  readonly actors: readonly string[];
  readonly actorCount: number;
  readonly count: number;
  readonly updatedAt: number;
}

/** The group a notification joins. */
export const groupKey = (n: Pick<Notification, 'recipient' | 'verb' | 'object' | 'at'>): string => `${n.recipient}\n${n.verb}\n${n.object}\n${dayOf(n.at)}`;

/**
 * The group after notification `n`: a new group with id `id` when there is none yet,
 * else `group` grown. `knownActor`: the actor is already among the group's actors
 * (all of them, not only the latest MAX_ACTORS).
 */
export const joinGroup = (group: Group | undefined, n: Notification, knownActor: boolean, id: number): Group =>
  group === undefined
    ? { id, recipient: n.recipient, verb: n.verb, object: n.object, ...(n.activity === undefined ? {} : { activity: n.activity }), day: dayOf(n.at), actors: [n.actor], actorCount: 1, count: 1, updatedAt: n.at }
    : {
        ...group,
        actors: [n.actor, ...group.actors.filter((a) => a !== n.actor)].slice(0, MAX_ACTORS),
        actorCount: group.actorCount + (knownActor ? 0 : 1),
        count: group.count + 1,
        updatedAt: Math.max(group.updatedAt, n.at),
      };

/** The group as the protocol's frames carry it. */
export const groupView = (g: Group, seen: boolean, read: boolean) => ({
  id: formatId(g.id),
  verb: g.verb,
  object: g.object,
  actors: g.actors,
  actor_count: g.actorCount,
  count: g.count,
  updated_at: g.updatedAt,
  seen,
  read,
});
export type GroupView = ReturnType<typeof groupView>;
