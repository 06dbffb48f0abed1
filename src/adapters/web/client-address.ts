import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/**
 * The address a request came from, for counting sign-in failures (docs/web.md, "Signing in"). Without
 * `trustProxy` the socket's peer. Behind `hops` trusted proxies, each appending the address it got the
 * request from to X-Forwarded-For, the client is the entry `hops` places from the right: the rightmost
 * one no trusted proxy wrote. Anything to its left is what the client itself sent, and a liar's choice.
 * A header with too few entries or a malformed one counts as the peer (the proxy), never as the lie.
 */
export function clientAddress(req: IncomingMessage, hops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (hops <= 0) return peer;
  const raw = req.headers['x-forwarded-for'];
  const header = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  const hopsSeen = header.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const client = hopsSeen[hopsSeen.length - hops];
  return client !== undefined && isIP(client) !== 0 ? client : peer;
}
