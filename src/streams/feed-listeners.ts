// Live feeds over uWS topics: a post is published once to its actor's followers topic
// (public, followers) or friends topic (friends), and uWS fans it out in C++ to every
// socket on it. So each subscribed socket of a user is on its own topic and on one or
// two topics of every user it follows — and those subscriptions must change exactly
// when the follow graph, as readers see it, changes.
import { Graph } from '../domain/feeds/graph';
import { Audience } from '../domain/feeds/visibility';
import { Effect, subscribe, unsubscribe } from './effects';

/** A user's own topic: their activities, removals and notifications. */
export const ownTopic = (user: string) => `feed:u:${user}`;
/** Activities of `actor` for an audience: the followers, or only the friends. */
export const audienceTopic = (actor: string, audience: Audience) => (audience === 'friends' ? `feed:m:${actor}` : `feed:f:${actor}`);

/** The topics of `of` that `user`'s subscribed sockets are on. */
export const topicsOf = (graph: Graph, user: string, of: string): string[] =>
  !graph.follows.has(user, of) ? [] : graph.follows.has(of, user) ? [audienceTopic(of, 'followers'), audienceTopic(of, 'friends')] : [audienceTopic(of, 'followers')];

/**
 * The sockets subscribed to feeds, by user, and how many sockets are on each topic: a
 * post to a topic no socket is on is not serialized at all (most posts, when few of the
 * followers are online).
 */
export class Listeners {
  private readonly byUser = new Map<string, string[]>();
  private readonly userOf = new Map<string, string>();
  private readonly heard = new Map<string, number>();

  /** Is any socket on `topic`? */
  hears(topic: string): boolean {
    return this.heard.has(topic);
  }

  /** Puts `conn` on `topics`. */
  on(conn: string, topics: readonly string[]): Effect[] {
    for (const t of topics) this.heard.set(t, (this.heard.get(t) ?? 0) + 1);
    return topics.map((t) => subscribe(conn, t));
  }

  /** Takes `conn` off `topics` (a socket that closed is off them already: pass `gone`). */
  off(conn: string, topics: readonly string[], gone = false): Effect[] {
    for (const t of topics) {
      const n = (this.heard.get(t) ?? 1) - 1;
      if (n > 0) this.heard.set(t, n);
      else this.heard.delete(t);
    }
    return gone ? [] : topics.map((t) => unsubscribe(conn, t));
  }

  socketsOf(user: string): readonly string[] {
    return this.byUser.get(user) ?? [];
  }

  /** False when the socket is subscribed already. */
  add(conn: string, user: string): boolean {
    if (this.userOf.has(conn)) return false;
    this.userOf.set(conn, user);
    this.byUser.set(user, [...this.socketsOf(user), conn]);
    return true;
  }

  /** The socket's user, if it was subscribed. */
  remove(conn: string): string | undefined {
    const user = this.userOf.get(conn);
    if (user === undefined) return undefined;
    this.userOf.delete(conn);
    const left = this.socketsOf(user).filter((c) => c !== conn);
    if (left.length === 0) this.byUser.delete(user);
    else this.byUser.set(user, left);
    return user;
  }

  /** Every topic a subscribed socket of `user` is on, now. */
  topics(graph: Graph, user: string): string[] {
    return [ownTopic(user), ...[...graph.following(user)].flatMap((of) => topicsOf(graph, user, of))];
  }

  /**
   * Remembers what the sockets of `a` and `b` hear of each other; the function returned
   * gives the effects that bring them to what the graph says then.
   */
  watch(graph: Graph, a: string, b: string): () => Effect[] {
    const before = [topicsOf(graph, a, b), topicsOf(graph, b, a)];
    return () =>
      [
        [a, before[0], topicsOf(graph, a, b)],
        [b, before[1], topicsOf(graph, b, a)],
      ].flatMap(([user, was, now]) => {
        const conns = this.socketsOf(user as string);
        if (conns.length === 0) return [];
        const gone = (was as string[]).filter((t) => !now.includes(t));
        const added = (now as string[]).filter((t) => !was.includes(t));
        return conns.flatMap((c) => [...this.off(c, gone), ...this.on(c, added)]);
      });
  }
}
