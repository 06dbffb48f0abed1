/**
 * How long a Redis command on a chat request's path (replay keys, grant version, confirmation
 * codes) waits before it fails. Without a limit, a Redis that takes the connection and does not
 * answer held every command until the socket died: no reply at all. Each caller says what a
 * failure means (the replica's memory decides, grants are left out, a short error reply).
 */
export const REQUEST_PATH_TIMEOUT_MS = 1_000;
