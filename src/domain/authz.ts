// Who may touch what: PROTOCOL.md's "Authorization" section as one pure function of a
// connection's access, its user and the action. The pipelines ask it before they change
// anything, and so does every other way in (cluster peers carry the access with the
// connection; HTTP APIs build the same Access from their own credentials).
//
// Rules as read from the protocol:
// - Without token auth (access `open`) everything is allowed: development mode.
// - With a token: `admin: true` allows everything. Otherwise:
//   - a room is allowed when its name starts with `public.` or matches a pattern of
//     `rooms`; this covers joining (with `since`), history, sending and typing;
//   - a doc may be read (opened) when its id starts with `public.` or matches `docs` or
//     `docs_read`, and written (ops, cursors) when it starts with `public.` or matches
//     `docs`: a read-only reader's cursors are not relayed either;
//   - a fence may be deleted, replaced or subscribed to by id only by its owner; a fence
//     without an owner (made before fences had one) only by an admin; a new fence id is
//     anyone's to create;
//   - a device may be reported by its owner (the first user who reported it) when the
//     token has no `devices` claim or its id matches one; a device nobody owns yet, on
//     the same condition, and the reporter becomes its owner.
// - A pattern is an exact name, a prefix followed by `*` (`team-a.*`), or `*`.
// Refusals say which claim was missing, never what other users own beyond the fact.

/** The claims of PROTOCOL.md beside `sub`, as they come out of a verified token. */
export interface Claims {
  readonly rooms?: readonly string[];
  readonly docs?: readonly string[];
  readonly docs_read?: readonly string[];
  readonly devices?: readonly string[];
  readonly admin?: boolean;
}

/** What a connection may do: everything (no token auth), or what its token allows. */
export type Access = { readonly kind: 'open' } | { readonly kind: 'token'; readonly claims: Claims };

export const OPEN: Access = { kind: 'open' };

export type Action =
  | { readonly on: 'room'; readonly room: string }
  | { readonly on: 'doc'; readonly doc: string; readonly write: boolean }
  /** Delete, replace or subscribe by id; `owner` null for a fence that has none, undefined for a new id. */
  | { readonly on: 'fence'; readonly fence: string; readonly owner: string | null | undefined }
  /** Report a location; `owner` undefined for a device nobody has reported yet. */
  | { readonly on: 'device'; readonly device: string; readonly owner: string | undefined };

const PUBLIC = 'public.';

export const matches = (patterns: readonly string[] | undefined, name: string): boolean => {
  if (patterns === undefined) return false;
  for (const p of patterns) {
    if (p === name || p === '*') return true;
    if (p.endsWith('*') && name.startsWith(p.slice(0, -1))) return true;
  }
  return false;
};

export const isAdmin = (access: Access): boolean => access.kind === 'open' || access.claims.admin === true;

/** Undefined when `user` may do `action`; otherwise why not, for the `forbidden` message. */
export const refusal = (user: string, access: Access, action: Action): string | undefined => {
  if (isAdmin(access)) return undefined;
  const { claims } = access as Extract<Access, { kind: 'token' }>;
  switch (action.on) {
    case 'room':
      return action.room.startsWith(PUBLIC) || matches(claims.rooms, action.room) ? undefined : `the token's rooms claim does not allow room ${action.room}`;
    case 'doc': {
      if (action.doc.startsWith(PUBLIC) || matches(claims.docs, action.doc)) return undefined;
      if (action.write) {
        return matches(claims.docs_read, action.doc) ? `doc ${action.doc} is read-only for ${user}` : `the token's docs claim does not allow doc ${action.doc}`;
      }
      return matches(claims.docs_read, action.doc) ? undefined : `the token's docs and docs_read claims do not allow doc ${action.doc}`;
    }
    case 'fence':
      if (action.owner === undefined || action.owner === user) return undefined;
      return `fence ${action.fence} belongs to another user`;
    case 'device':
      if (action.owner !== undefined && action.owner !== user) return `device ${action.device} belongs to another user`;
      if (claims.devices !== undefined && !matches(claims.devices, action.device)) return `the token's devices claim does not allow device ${action.device}`;
      return undefined;
  }
};
