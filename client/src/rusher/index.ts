// The typed Rusher client: no React, no DOM beyond a WebSocket (which can be injected).
export { createRusher, randomId, socketUrl, tokenUser } from './client';
export type { Rusher, RusherOptions } from './client';
export { connect } from './connection';
export type { Connection, ConnectionOptions, ConnectionState, Session } from './connection';
export { DEFAULT_BACKOFF, backoffDelay } from './backoff';
export type { Backoff } from './backoff';
export { ConnectionLost, RusherError, isConnectionLost } from './errors';
export { Room } from './room';
export type { Outbound, RoomState } from './room';
export { Doc } from './doc';
export type { DocChange, DocStatus, RemoteCursor } from './doc';
export { Fences } from './fences';
export { Feed } from './feed';
export type { NotificationsState, TimelineState } from './feed';
export * from './frames';
export type { ImportSummary } from '../../../src/domain/geo/geojson';
