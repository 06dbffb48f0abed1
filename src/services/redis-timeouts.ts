/**
 * How long a Redis command on a chat request's path (replay keys, grant version, confirmation
 * codes) waits before it fails. Without a limit, a Redis that takes the connection and does not
 * answer held every command until the socket died: no reply at all. Each caller says what a
 * failure means (the replica's memory decides, grants are left out, a short error reply).
 */
export const REQUEST_PATH_TIMEOUT_MS = 1_000;

/**
 * How long one queue operation on a command's path (several round trips: queue a job, list the
 * queues) may take in all before the command says the queue is unavailable.
 */
export const QUEUE_TIMEOUT_MS = 2_000;
