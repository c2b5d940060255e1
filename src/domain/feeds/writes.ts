// What the feed pipeline persists, as values (see ../writes.ts): the commit stream
// batches them with every other write and commits each batch in one transaction.
import type { ActivityBody } from './activity';
import type { Group } from './aggregation';

export type Pair = readonly [string, string];

/** A notification group as it now is, and the actor that joined it if that actor is new to it. */
export interface GroupWrite {
  readonly group: Group;
  readonly newActor?: string;
}

export type FeedWrite =
  | { readonly kind: 'post'; readonly activity: ActivityBody }
  /** The activity is kept as a tombstone (so its id is never given again); its groups go. */
  | { readonly kind: 'delete'; readonly id: number }
  | { readonly kind: 'follow'; readonly follower: string; readonly followee: string; readonly at: number; readonly notice: GroupWrite }
  /** Follows ended: by an unfollow (one), or by a block (up to two). */
  | { readonly kind: 'unfollow'; readonly pairs: readonly Pair[] }
  | { readonly kind: 'block'; readonly blocker: string; readonly blocked: string; readonly at: number; readonly unfollows: readonly Pair[] }
  | { readonly kind: 'unblock'; readonly blocker: string; readonly blocked: string }
  | { readonly kind: 'react'; readonly activity: number; readonly user: string; readonly reaction: string; readonly text?: string; readonly at: number; readonly notice?: GroupWrite }
  | { readonly kind: 'unreact'; readonly activity: number; readonly user: string; readonly reaction: string }
  /** `read`: every group, or these. */
  | { readonly kind: 'mark'; readonly user: string; readonly seen: boolean; readonly read?: true | readonly number[] };
