// What a feed is made of: activities, their ids and visibility, and the notification
// groups as the protocol shows them. Types and small conversions only.

/** `public`: the actor's followers, and anyone on the actor's feed; `followers`: followers only; `friends`: followers the actor follows back. */
export type Visibility = 'public' | 'followers' | 'friends';
export const VISIBILITIES: readonly Visibility[] = ['public', 'followers', 'friends'];

/** An activity as stored: everything but its reactions, which change. */
export interface ActivityBody {
  readonly id: number;
  readonly actor: string;
  readonly verb: string;
  readonly object: string;
  readonly target?: string;
  readonly text?: string;
  readonly visibility: Visibility;
  readonly at: number;
  readonly foreignId?: string;
}

export type Counts = Readonly<Record<string, number>>;

/** An activity and its reaction counts, as read. */
export interface Activity extends ActivityBody {
  readonly reactions: Counts;
}

/**
 * Ids are given out in commit order by the one owner of feed state; on the wire they are
 * decimal strings of fixed width, so that a later activity's id is greater as a string too.
 */
export const ID_WIDTH = 12;
export const formatId = (id: number): string => String(id).padStart(ID_WIDTH, '0');
/** An id from the wire (the codec has checked it is 1–ID_WIDTH digits). */
export const parseId = (s: string): number => Number(s);

/** The activity as the protocol's frames carry it. */
export const activityView = (a: Activity) => ({
  id: formatId(a.id),
  actor: a.actor,
  verb: a.verb,
  object: a.object,
  ...(a.target === undefined ? {} : { target: a.target }),
  ...(a.text === undefined ? {} : { text: a.text }),
  visibility: a.visibility,
  at: a.at,
  ...(a.foreignId === undefined ? {} : { foreign_id: a.foreignId }),
  reactions: a.reactions,
});
export type ActivityView = ReturnType<typeof activityView>;
