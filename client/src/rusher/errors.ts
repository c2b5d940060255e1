// Failures a request can end with: the server's `error` frame, or the socket going away.

/** An `error` frame from the server (PROTOCOL.md, Errors), as a value that can be thrown. */
export class RusherError extends Error {
  override readonly name = 'RusherError';
  constructor(
    readonly code: string,
    message: string,
    /** The failing field, for `bad_request`. */
    readonly path?: string,
  ) {
    super(message);
  }
}

/** The socket closed before the reply came; the request may or may not have been applied. */
export class ConnectionLost extends Error {
  override readonly name = 'ConnectionLost';
  constructor() {
    super('the connection to the server was lost');
  }
}

export const isConnectionLost = (e: unknown): e is ConnectionLost => e instanceof ConnectionLost;
