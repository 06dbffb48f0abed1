import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = 'redis://127.0.0.1:6379';

/** A key prefix no other test uses, and a cleanup that deletes every key under it. */
export function redisPrefix(): { prefix: string; cleanup(): Promise<void> } {
  const prefix = `opsline-t-${randomBytes(5).toString('hex')}`;
  return {
    prefix,
    async cleanup() {
      const r = new Redis(REDIS_URL);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
          cursor = next;
          if (keys.length) await r.del(...keys);
        } while (cursor !== '0');
      } finally {
        r.disconnect();
      }
    },
  };
}
