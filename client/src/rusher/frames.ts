// The frames of the Rusher protocol (PROTOCOL.md, version 1) as TypeScript types.
import type { Op } from 'quill-delta';
// Feed activities and notification groups are the server's own views of them, shared as types.
import type { ActivityView, Visibility } from '../../../src/domain/feeds/activity';
import type { GroupView } from '../../../src/domain/feeds/aggregation';

export type Activity = ActivityView;
export type NotificationGroup = GroupView;
export type { Visibility };

export type Ref = string | number;

export interface DeltaJson {
  readonly ops: readonly Op[];
}

export interface Range {
  readonly index: number;
  readonly length: number;
}

export interface Message {
  readonly room: string;
  readonly seq: number;
  readonly user: string;
  readonly text: string;
  /** Milliseconds since the epoch, set by the server. */
  readonly at: number;
  readonly id: string;
}

/**
 * A GeoJSON Polygon (`[[[lng, lat], …]]`, first ring outer, the rest holes), a
 * MultiPolygon (one fence of several polygons) or a circle: the server's own type.
 */
export type { Shape } from '../../../src/domain/geo/shape';
import type { Shape } from '../../../src/domain/geo/shape';

export interface FenceInput {
  readonly id?: string;
  readonly name: string;
  readonly shape: Shape;
  readonly dwellMs?: number;
  /** Repair an invalid polygon (GEOS MakeValid) rather than refuse it; the fence created holds the repaired shape. */
  readonly repair?: boolean;
}

export interface Fence extends Omit<FenceInput, 'repair'> {
  readonly id: string;
}

export type FenceSelection = '*' | readonly string[];

export interface FenceEvent {
  readonly event: 'enter' | 'exit' | 'dwell';
  readonly fence: string;
  readonly device: string;
  readonly lat: number;
  readonly lng: number;
  readonly at: number;
}

export interface LocationInput {
  readonly device: string;
  readonly lat: number;
  readonly lng: number;
  readonly at?: number;
  readonly accuracy?: number;
}

export interface PostInput {
  readonly verb: string;
  readonly object: string;
  readonly target?: string;
  readonly text?: string;
  readonly visibility?: Visibility;
  readonly foreign_id?: string;
}

export interface Counters {
  readonly unseen: number;
  readonly unread: number;
}

/** Frames a client sends, without `ref` (the request layer adds it). */
export type ClientFrame =
  | { readonly type: 'ping' }
  | { readonly type: 'room.join'; readonly room: string; readonly since?: number }
  | { readonly type: 'room.leave'; readonly room: string }
  | { readonly type: 'chat.send'; readonly room: string; readonly text: string; readonly id?: string }
  | { readonly type: 'chat.typing'; readonly room: string }
  | { readonly type: 'room.history'; readonly room: string; readonly before?: number; readonly limit?: number }
  | { readonly type: 'doc.open'; readonly doc: string; readonly version?: number }
  /** `id` is the client's op id, echoed on the ack and on the op's broadcasts and replays. */
  | { readonly type: 'doc.op'; readonly doc: string; readonly version: number; readonly op: DeltaJson; readonly id?: string }
  | { readonly type: 'doc.cursor'; readonly doc: string; readonly version: number; readonly range: Range }
  | { readonly type: 'doc.close'; readonly doc: string }
  | { readonly type: 'fence.create'; readonly fence: FenceInput }
  | { readonly type: 'fence.delete'; readonly id: string }
  | { readonly type: 'fence.list' }
  | { readonly type: 'fence.subscribe'; readonly fences: FenceSelection }
  | { readonly type: 'fence.unsubscribe'; readonly fences: FenceSelection }
  | ({ readonly type: 'location.update' } & LocationInput)
  | ({ readonly type: 'feed.post' } & PostInput)
  | { readonly type: 'feed.delete'; readonly activity: string }
  | { readonly type: 'feed.follow' | 'feed.unfollow' | 'feed.block' | 'feed.unblock'; readonly user: string }
  | { readonly type: 'feed.timeline'; readonly before?: string; readonly since?: string; readonly limit?: number }
  | { readonly type: 'feed.user'; readonly user: string; readonly before?: string; readonly limit?: number }
  | { readonly type: 'feed.subscribe' | 'feed.unsubscribe' }
  | { readonly type: 'feed.react'; readonly activity: string; readonly kind: string; readonly text?: string }
  | { readonly type: 'feed.unreact'; readonly activity: string; readonly kind: string }
  | { readonly type: 'feed.notifications'; readonly limit?: number }
  | { readonly type: 'feed.mark'; readonly seen?: boolean; readonly read?: boolean | readonly string[] };

export type ClientType = ClientFrame['type'];
export type Outgoing = ClientFrame & { readonly ref?: Ref };

interface Replied {
  readonly ref?: Ref;
}

export type ServerFrame =
  | { readonly type: 'welcome'; readonly session: string; readonly user: string; readonly protocol: number; readonly heartbeat: number }
  | ({ readonly type: 'pong' } & Replied)
  | ({ readonly type: 'error'; readonly code: string; readonly message: string; readonly path?: string } & Replied)
  | ({ readonly type: 'room.joined'; readonly room: string; readonly members: readonly string[]; readonly history: readonly Message[] } & Replied)
  | ({ readonly type: 'room.left'; readonly room: string } & Replied)
  | { readonly type: 'presence.join'; readonly room: string; readonly user: string }
  | { readonly type: 'presence.leave'; readonly room: string; readonly user: string }
  | ({ readonly type: 'chat.ack'; readonly room: string; readonly seq: number; readonly at: number; readonly id: string } & Replied)
  | ({ readonly type: 'chat.message' } & Message)
  | { readonly type: 'chat.typing'; readonly room: string; readonly user: string }
  | ({ readonly type: 'room.history'; readonly room: string; readonly messages: readonly Message[] } & Replied)
  | ({ readonly type: 'doc.snapshot'; readonly doc: string; readonly version: number; readonly content: DeltaJson } & Replied)
  | ({ readonly type: 'doc.opened'; readonly doc: string; readonly version: number } & Replied)
  | ({ readonly type: 'doc.ack'; readonly doc: string; readonly version: number; readonly id?: string } & Replied)
  | ({ readonly type: 'doc.op'; readonly doc: string; readonly version: number; readonly op: DeltaJson; readonly user?: string; readonly id?: string } & Replied)
  | { readonly type: 'doc.cursor'; readonly doc: string; readonly user: string; readonly range: Range }
  | ({ readonly type: 'doc.closed'; readonly doc: string } & Replied)
  | ({ readonly type: 'fence.created'; readonly fence: Fence } & Replied)
  | ({ readonly type: 'fence.deleted'; readonly id: string } & Replied)
  | ({ readonly type: 'fence.list'; readonly fences: readonly Fence[] } & Replied)
  | ({ readonly type: 'fence.subscribed'; readonly fences: FenceSelection } & Replied)
  | ({ readonly type: 'fence.unsubscribed'; readonly fences: FenceSelection } & Replied)
  | ({ readonly type: 'location.ack'; readonly device: string } & Replied)
  | ({ readonly type: 'fence.event' } & FenceEvent)
  | ({ readonly type: 'feed.posted'; readonly activity: Activity } & Replied)
  | ({ readonly type: 'feed.deleted'; readonly activity: string } & Replied)
  | ({ readonly type: 'feed.followed'; readonly user: string; readonly friends: boolean } & Replied)
  | ({ readonly type: 'feed.unfollowed' | 'feed.blocked' | 'feed.unblocked'; readonly user: string } & Replied)
  | ({ readonly type: 'feed.timeline'; readonly activities: readonly Activity[]; readonly next: string | null } & Replied)
  | ({ readonly type: 'feed.user'; readonly user: string; readonly activities: readonly Activity[]; readonly next: string | null } & Replied)
  | ({ readonly type: 'feed.subscribed' | 'feed.unsubscribed' } & Replied)
  | ({ readonly type: 'feed.reacted' | 'feed.unreacted'; readonly activity: string; readonly kind: string; readonly reactions: Readonly<Record<string, number>> } & Replied)
  | ({ readonly type: 'feed.notifications'; readonly groups: readonly NotificationGroup[] } & Counters & Replied)
  | ({ readonly type: 'feed.marked' } & Counters & Replied)
  | { readonly type: 'feed.activity'; readonly activity: Activity }
  | { readonly type: 'feed.removed'; readonly activity: string }
  | ({ readonly type: 'feed.notification'; readonly group: NotificationGroup } & Counters);

export type ServerType = ServerFrame['type'];
export type FrameOf<T extends ServerType> = Extract<ServerFrame, { type: T }>;

/** The frame types that answer each request (an `error` with the same ref may answer any). */
export const REPLIES = {
  ping: ['pong'],
  'room.join': ['room.joined'],
  'room.leave': ['room.left'],
  'chat.send': ['chat.ack'],
  'room.history': ['room.history'],
  'doc.open': ['doc.snapshot', 'doc.opened'],
  'doc.op': ['doc.ack'],
  'doc.close': ['doc.closed'],
  'fence.create': ['fence.created'],
  'fence.delete': ['fence.deleted'],
  'fence.list': ['fence.list'],
  'fence.subscribe': ['fence.subscribed'],
  'fence.unsubscribe': ['fence.unsubscribed'],
  'location.update': ['location.ack'],
  'feed.post': ['feed.posted'],
  'feed.delete': ['feed.deleted'],
  'feed.follow': ['feed.followed'],
  'feed.unfollow': ['feed.unfollowed'],
  'feed.block': ['feed.blocked'],
  'feed.unblock': ['feed.unblocked'],
  'feed.timeline': ['feed.timeline'],
  'feed.user': ['feed.user'],
  'feed.subscribe': ['feed.subscribed'],
  'feed.unsubscribe': ['feed.unsubscribed'],
  'feed.react': ['feed.reacted'],
  'feed.unreact': ['feed.unreacted'],
  'feed.notifications': ['feed.notifications'],
  'feed.mark': ['feed.marked'],
} as const satisfies Partial<Record<ClientType, readonly ServerType[]>>;

export type Request = Extract<ClientFrame, { type: keyof typeof REPLIES }>;
export type ReplyTo<F extends Request> = FrameOf<(typeof REPLIES)[F['type']][number]>;
