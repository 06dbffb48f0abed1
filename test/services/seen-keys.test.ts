import { createServer, type Server, type Socket } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { PLATFORM_DEADLINE_MS } from '../../src/http/deadline.js';
import { RecentKeys, RedisSeenKeys } from '../../src/services/seen-keys.js';

let server: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server?.close(r));
});

/** A TCP server that takes connections and never answers: Redis hung, or a black hole on the path. */
async function silentRedis(): Promise<string> {
  server = createServer((s) => {
    sockets.add(s);
    s.resume();
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return `redis://127.0.0.1:${addr.port}`;
}

describe('RedisSeenKeys when Redis takes the connection and never answers', () => {
  // The test's own timeout is the platform's deadline: before, firstSeen waited until the connection
  // was given up on (never, with a black hole), and the request it guards went unanswered.
  it('lets this replica decide, in time for the platform’s 3 s answer', async () => {
    const keys = new RedisSeenKeys(await silentRedis(), 'test', new RecentKeys(), pino({ level: 'silent' }));
    try {
      expect(await keys.firstSeen('trigger-1')).toBe(true);
      expect(await keys.firstSeen('trigger-1')).toBe(false);
    } finally {
      keys.close();
    }
  }, PLATFORM_DEADLINE_MS);
});
