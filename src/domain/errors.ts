// The error codes of PROTOCOL.md; a ProtocolError is a value, never thrown.
export type ErrorCode =
  | 'bad_json'
  | 'bad_frame'
  | 'unknown_type'
  | 'bad_request'
  | 'not_joined'
  | 'not_open'
  | 'bad_version'
  | 'stale_version'
  | 'not_found'
  | 'too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'forbidden'
  | 'quota_exceeded';

export interface ProtocolError {
  readonly code: ErrorCode;
  readonly message: string;
  /** The failing field, e.g. `fence.shape.coordinates.0.3`. */
  readonly path?: string;
}

export const err = (code: ErrorCode, message: string, path?: string): ProtocolError =>
  path === undefined ? { code, message } : { code, message, path };
