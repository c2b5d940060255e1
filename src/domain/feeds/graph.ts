// Follows and blocks, and the rules for changing them. A block ends both follows and
// keeps them ended; following oneself, or across a block, is refused.
import { Either, left, right } from 'fp-ts/Either';
import { ProtocolError, err } from '../errors';
import { Relation } from './relation';
import { Ties } from './visibility';

/** What one change decided: the follows it ends (a block ends up to two), and whether it changes anything. */
export interface GraphChange {
  readonly changed: boolean;
  readonly unfollows: readonly (readonly [string, string])[];
}

const NOTHING: GraphChange = { changed: false, unfollows: [] };

export class Graph {
  /** follower → followee */
  readonly follows: Relation;
  /** blocker → blocked */
  readonly blocks: Relation;

  /** Bumped whenever an edge from or to the user starts or stops counting. */
  private readonly versions = new Map<string, number>();

  constructor(follows: Iterable<readonly [string, string]> = [], blocks: Iterable<readonly [string, string]> = []) {
    const changed = (a: string, b: string) => {
      this.versions.set(a, this.version(a) + 1);
      this.versions.set(b, this.version(b) + 1);
    };
    this.follows = new Relation(true, follows, changed);
    this.blocks = new Relation(false, blocks, changed);
  }

  /** Changes whenever the user's ties to anyone change: what was derived from them is stale. */
  version(user: string): number {
    return this.versions.get(user) ?? 0;
  }

  ties(viewer: string, actor: string): Ties {
    return {
      follows: this.follows.has(viewer, actor),
      followedBack: this.follows.has(actor, viewer),
      blocked: this.blocks.has(viewer, actor) || this.blocks.has(actor, viewer),
    };
  }

  /** Whom `user` follows, as readers see it now. */
  following(user: string): ReadonlySet<string> {
    return this.follows.of(user);
  }

  /** Friends: each follows the other, as readers see it now. */
  friends(a: string, b: string): boolean {
    return this.follows.has(a, b) && this.follows.has(b, a);
  }

  follow(follower: string, followee: string): Either<ProtocolError, GraphChange> {
    if (follower === followee) return left(err('forbidden', 'you cannot follow yourself', 'user'));
    if (this.blockedEitherWay(follower, followee)) {
      return left(
        this.blocks.intends(follower, followee) || this.blocks.has(follower, followee)
          ? err('forbidden', `you blocked ${followee}; unblock them first`, 'user')
          : err('forbidden', `you cannot follow ${followee}`, 'user'),
      );
    }
    return right(this.follows.decide(follower, followee, true) ? { changed: true, unfollows: [] } : NOTHING);
  }

  unfollow(follower: string, followee: string): GraphChange {
    return this.follows.decide(follower, followee, false) ? { changed: true, unfollows: [[follower, followee]] } : NOTHING;
  }

  block(blocker: string, blocked: string): Either<ProtocolError, GraphChange> {
    if (blocker === blocked) return left(err('forbidden', 'you cannot block yourself', 'user'));
    const unfollows = [this.unfollow(blocker, blocked), this.unfollow(blocked, blocker)].flatMap((c) => c.unfollows);
    const changed = this.blocks.decide(blocker, blocked, true);
    return right({ changed: changed || unfollows.length > 0, unfollows });
  }

  unblock(blocker: string, blocked: string): GraphChange {
    return this.blocks.decide(blocker, blocked, false) ? { changed: true, unfollows: [] } : NOTHING;
  }

  private blockedEitherWay(a: string, b: string): boolean {
    return this.blocks.intends(a, b) || this.blocks.intends(b, a) || this.blocks.has(a, b) || this.blocks.has(b, a);
  }
}
