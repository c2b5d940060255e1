// User names follow the protocol's rule (PROTOCOL.md, Transport): 1–64 of A-Za-z0-9_.-
// Other names (rooms, docs, fences) go to the server as typed; its `error` says what is wrong.
export const USER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
