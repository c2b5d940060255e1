// The client frames of PROTOCOL.md as io-ts codecs, and `decode`: type first, then
// the one codec for that type. Shapes and deltas stay `unknown` here: their own
// domain modules validate them with paths rooted at the frame.
import * as t from 'io-ts';
import { Either, left, isLeft } from 'fp-ts/Either';
import { ErrorCode, ProtocolError, err } from './errors';

const refined = <A>(base: t.Type<A>, ok: (a: A) => boolean, name: string): t.Type<A> =>
  new t.Type<A>(name, (u): u is A => base.is(u) && ok(u), (u, c) => {
    const r = base.validate(u, c);
    return isLeft(r) || ok(r.right) ? r : t.failure(u, c);
  }, t.identity);

const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Room, doc, fence and device ids share the room-name rule. */
export const Name = refined(t.string, (s) => NAME.test(s), '1–128 characters of A-Za-z0-9_.:-');
export const Ref = t.union([refined(t.string, (s) => s.length <= 64, 'a string of at most 64 characters'), t.number]);
const Count = refined(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'a non-negative integer');
const Limit = refined(t.number, (n) => Number.isInteger(n) && n >= 1 && n <= 200, 'an integer from 1 to 200');
const Finite = refined(t.number, Number.isFinite, 'a finite number');
const Lat = refined(t.number, (n) => n >= -90 && n <= 90, 'a latitude in [-90, 90]');
const Lng = refined(t.number, (n) => n >= -180 && n <= 180, 'a longitude in [-180, 180]');

export const MAX_TEXT = 4000;
// Characters are code points: an emoji counts once, as a user would count it.
const codePoints = (s: string): number => (s.length <= MAX_TEXT ? s.length : [...s].length);
const Text = refined(t.string, (s) => s.length > 0 && codePoints(s) <= MAX_TEXT, `text of 1–${MAX_TEXT} characters`);
const MessageId = refined(t.string, (s) => s.length > 0 && s.length <= 128, 'a string of 1–128 characters');

const frame = <T extends string, P extends t.Props, O extends t.Props>(type: T, required: P, optional: O) =>
  t.intersection([t.type({ type: t.literal(type), ...required }), t.partial({ ref: Ref, ...optional })]);

export const Ping = frame('ping', {}, {});
/** A new token for the same user, before the current one expires. */
export const AuthRefresh = frame('auth.refresh', { token: refined(t.string, (s) => s.length > 0 && s.length <= 8192, 'a token of at most 8,192 characters') }, {});
export const RoomJoin = frame('room.join', { room: Name }, { since: Count });
export const RoomLeave = frame('room.leave', { room: Name }, {});
export const ChatSend = frame('chat.send', { room: Name, text: Text }, { id: MessageId });
export const ChatTyping = frame('chat.typing', { room: Name }, {});
export const RoomHistory = frame('room.history', { room: Name }, { before: Count, limit: Limit });
export const DocOpen = frame('doc.open', { doc: Name }, { version: Count });
/** `id`: the client's id for the op; a resend with the same id is acked, not applied again. */
export const DocOp = frame('doc.op', { doc: Name, version: Count, op: t.unknown }, { id: MessageId });
export const DocCursor = frame('doc.cursor', { doc: Name, version: Count, range: t.type({ index: Count, length: Count }) }, {});
export const DocClose = frame('doc.close', { doc: Name }, {});
export const FenceCreate = frame('fence.create', {
  fence: t.intersection([
    t.type({ name: refined(t.string, (s) => s.length <= 256, 'a string of at most 256 characters'), shape: t.unknown }),
    // repair: an invalid polygon is repaired (GEOS MakeValid) rather than refused.
    t.partial({ id: Name, dwellMs: Count, repair: t.boolean }),
  ]),
}, {});
export const FenceDelete = frame('fence.delete', { id: Name }, {});
export const FenceList = frame('fence.list', {}, {});
const FenceSelection = t.union([t.literal('*'), t.array(Name)]);
export const FenceSubscribe = frame('fence.subscribe', { fences: FenceSelection }, {});
export const FenceUnsubscribe = frame('fence.unsubscribe', { fences: FenceSelection }, {});
export const LocationUpdate = frame('location.update', { device: Name, lat: Lat, lng: Lng }, {
  at: Count,
  accuracy: refined(Finite, (n) => n >= 0, 'a non-negative number'),
});

// Activity feeds. User names follow the identity rule; verbs and reaction kinds [a-z_].
const UserName = refined(t.string, (s) => /^[A-Za-z0-9_.-]{1,64}$/.test(s), '1–64 characters of A-Za-z0-9_.-');
const Verb = refined(t.string, (s) => /^[a-z_]{1,32}$/.test(s), '1–32 characters of a-z_');
const ObjectRef = refined(t.string, (s) => s.length > 0 && s.length <= 256, 'a string of 1–256 characters');
const FeedText = refined(t.string, (s) => codePoints(s) <= MAX_TEXT, `text of at most ${MAX_TEXT} characters`);
/** Activity and notification group ids: the server's fixed-width decimal strings (domain/feeds/activity.ts). */
const FeedId = refined(t.string, (s) => /^[0-9]{1,12}$/.test(s), 'an id of 1–12 digits');
const FeedLimit = refined(t.number, (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'an integer from 1 to 100');
const Visibility = t.keyof({ public: null, followers: null, friends: null });
export const FeedPost = frame('feed.post', { verb: Verb, object: ObjectRef }, { target: ObjectRef, text: FeedText, visibility: Visibility, foreign_id: MessageId });
export const FeedDelete = frame('feed.delete', { activity: FeedId }, {});
export const FeedFollow = frame('feed.follow', { user: UserName }, {});
export const FeedUnfollow = frame('feed.unfollow', { user: UserName }, {});
export const FeedBlock = frame('feed.block', { user: UserName }, {});
export const FeedUnblock = frame('feed.unblock', { user: UserName }, {});
export const FeedTimeline = frame('feed.timeline', {}, { before: FeedId, since: FeedId, limit: FeedLimit });
export const FeedUser = frame('feed.user', { user: UserName }, { before: FeedId, limit: FeedLimit });
export const FeedSubscribe = frame('feed.subscribe', {}, {});
export const FeedUnsubscribe = frame('feed.unsubscribe', {}, {});
export const FeedReact = frame('feed.react', { activity: FeedId, kind: Verb }, { text: FeedText });
export const FeedUnreact = frame('feed.unreact', { activity: FeedId, kind: Verb }, {});
export const FeedNotifications = frame('feed.notifications', {}, { limit: FeedLimit });
const MarkRead = t.union([t.boolean, refined(t.array(FeedId), (ids) => ids.length <= 1000, 'at most 1,000 group ids')]);
export const FeedMark = frame('feed.mark', {}, { seen: t.boolean, read: MarkRead });

/** Which part of the server answers a frame: the gateway itself, or one pipeline. */
export type Feature = 'gateway' | 'chat' | 'docs' | 'geo' | 'feeds';

/**
 * Every client frame: its codec and the feature that answers it. The one place that
 * says where a frame goes: decoding, the pipelines' inputs and the cluster's router
 * all read it.
 */
const frames = {
  ping: { codec: Ping, feature: 'gateway' },
  'auth.refresh': { codec: AuthRefresh, feature: 'gateway' },
  'room.join': { codec: RoomJoin, feature: 'chat' },
  'room.leave': { codec: RoomLeave, feature: 'chat' },
  'chat.send': { codec: ChatSend, feature: 'chat' },
  'chat.typing': { codec: ChatTyping, feature: 'chat' },
  'room.history': { codec: RoomHistory, feature: 'chat' },
  'doc.open': { codec: DocOpen, feature: 'docs' },
  'doc.op': { codec: DocOp, feature: 'docs' },
  'doc.cursor': { codec: DocCursor, feature: 'docs' },
  'doc.close': { codec: DocClose, feature: 'docs' },
  'fence.create': { codec: FenceCreate, feature: 'geo' },
  'fence.delete': { codec: FenceDelete, feature: 'geo' },
  'fence.list': { codec: FenceList, feature: 'geo' },
  'fence.subscribe': { codec: FenceSubscribe, feature: 'geo' },
  'fence.unsubscribe': { codec: FenceUnsubscribe, feature: 'geo' },
  'location.update': { codec: LocationUpdate, feature: 'geo' },
  'feed.post': { codec: FeedPost, feature: 'feeds' },
  'feed.delete': { codec: FeedDelete, feature: 'feeds' },
  'feed.follow': { codec: FeedFollow, feature: 'feeds' },
  'feed.unfollow': { codec: FeedUnfollow, feature: 'feeds' },
  'feed.block': { codec: FeedBlock, feature: 'feeds' },
  'feed.unblock': { codec: FeedUnblock, feature: 'feeds' },
  'feed.timeline': { codec: FeedTimeline, feature: 'feeds' },
  'feed.user': { codec: FeedUser, feature: 'feeds' },
  'feed.subscribe': { codec: FeedSubscribe, feature: 'feeds' },
  'feed.unsubscribe': { codec: FeedUnsubscribe, feature: 'feeds' },
  'feed.react': { codec: FeedReact, feature: 'feeds' },
  'feed.unreact': { codec: FeedUnreact, feature: 'feeds' },
  'feed.notifications': { codec: FeedNotifications, feature: 'feeds' },
  'feed.mark': { codec: FeedMark, feature: 'feeds' },
} as const satisfies Record<string, { readonly codec: t.Mixed; readonly feature: Feature }>;

type Frames = typeof frames;
type Codecs = { [K in keyof Frames]: Frames[K]['codec'] };
export type FrameType = keyof Codecs;
export type ClientFrame = { [K in FrameType]: t.TypeOf<Codecs[K]> }[FrameType];
export type FrameOf<K extends FrameType> = t.TypeOf<Codecs[K]>;
export type Ref = t.TypeOf<typeof Ref>;
/** The frames one feature answers. */
export type FeatureFrame<F extends Feature> = { [K in FrameType]: Frames[K]['feature'] extends F ? FrameOf<K> : never }[FrameType];

export const featureOf = (type: FrameType): Feature => frames[type].feature;

/** A decoding failure, with the frame's `ref` when it had a usable one. */
export interface Rejected extends ProtocolError {
  readonly ref?: Ref;
}

const reject = (code: ErrorCode, message: string, path?: string, ref?: Ref): Rejected =>
  ref === undefined ? err(code, message, path) : { ...err(code, message, path), ref };

const has = (o: object, k: string): k is FrameType => Object.prototype.hasOwnProperty.call(o, k);

// io-ts puts union members and intersection halves in the context as keys '0', '1';
// they are not fields, so the path keeps only keys under a record or array.
const pathOf = (e: t.ValidationError): string =>
  e.context
    .filter((_, i) => i > 0 && !['UnionType', 'IntersectionType'].includes((e.context[i - 1].type as { _tag?: string })._tag ?? ''))
    .map((c) => c.key)
    .join('.');

const describe = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
};

const firstFailure = (errors: t.Errors): { path: string; message: string } => {
  // The deepest context names the most precise field.
  const e = errors.reduce((a, b) => (b.context.length > a.context.length ? b : a));
  const path = pathOf(e);
  const expected = e.context[e.context.length - 1].type.name;
  return { path, message: `${path}: expected ${expected}, got ${describe(e.value)}` };
};

export const decodeValue = (raw: unknown): Either<Rejected, ClientFrame> => {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return left(reject('unknown_type', 'a frame must be a JSON object with a "type"'));
  }
  const o = raw as Record<string, unknown>;
  const ref = Ref.is(o.ref) ? o.ref : undefined;
  if (typeof o.type !== 'string' || !has(frames, o.type)) {
    return left(reject('unknown_type', `unknown frame type ${describe(o.type)}`, 'type', ref));
  }
  const r = (frames[o.type].codec as t.Type<ClientFrame>).decode(raw);
  if (isLeft(r)) {
    const { path, message } = firstFailure(r.left);
    return left(reject('bad_request', message, path, ref));
  }
  return r;
};

// A lone surrogate cannot be stored as UTF-8: the store would turn it into U+FFFD, and
// what was acked would not be what is kept. In UTF-8 text one only arrives as a \u escape.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path of the first string in `v` holding a lone surrogate, if any. */
const loneSurrogateAt = (v: unknown, path: string): string | undefined => {
  if (typeof v === 'string') return LONE_SURROGATE.test(v) ? path : undefined;
  if (typeof v !== 'object' || v === null) return undefined;
  for (const [k, x] of Object.entries(v)) {
    const found = loneSurrogateAt(x, path === '' ? k : `${path}.${k}`);
    if (found !== undefined) return found;
  }
  return undefined;
};

export const decode = (text: string): Either<Rejected, ClientFrame> => {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return left(reject('bad_json', 'the frame is not valid JSON'));
  }
  if (SURROGATE_ESCAPE.test(text)) {
    const at = loneSurrogateAt(raw, '');
    if (at !== undefined) {
      const ref = typeof raw === 'object' && raw !== null && Ref.is((raw as { ref?: unknown }).ref) ? (raw as { ref: Ref }).ref : undefined;
      return left(reject('bad_request', `${at}: a lone UTF-16 surrogate is not text; send well-formed Unicode`, at, ref));
    }
  }
  return decodeValue(raw);
};
