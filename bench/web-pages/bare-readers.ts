import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/redis/connect.js';
import { childProtocol, wallNow } from './child.js';

/**
 * `node bare-readers.js <redis url> <stream key> <n>`: the baseline of the web-pages bench, n bare
 * readers of one thread's relay stream, each on its own connection with XREAD BLOCK from the start,
 * as the relay's own `follow` reads it (src/relay/redis-relay.ts), and nothing else (no parse). Each notes when
 * every entry arrived; a reader stops at the thread's final entry.
 */
const [url, key, count] = process.argv.slice(2);
let readers: Redis[] = [];

/** The stream's entry ids in order, as the first reader saw them: the parent maps a page's event ids with them. */
const ids: string[] = [];

async function follow(r: Redis, which: number): Promise<number[]> {
  const arrivals: number[] = [];
  let last = '0';
  for (;;) {
    const res = (await r.xread('COUNT', 100, 'BLOCK', 2000, 'STREAMS', key!, last)) as [string, [string, string[]][]][] | null;
    const at = wallNow();
    for (const [id, fields] of res?.[0]?.[1] ?? []) {
      last = id;
      arrivals.push(at);
      if (which === 0) ids.push(id);
      if (fields[1]?.includes('"op":"final"')) return arrivals;
    }
  }
}

await childProtocol(
  async () => {
    // Made as the relay makes its readers (the blocking profile: no command timeout on XREAD BLOCK).
    readers = Array.from({ length: Number(count) }, () => connectRedis(url!, { role: 'bench-bare-reader', profile: 'blocking' }));
    await Promise.all(readers.map((r) => r.ping()));
  },
  async () => ({ arrivals: await Promise.all(readers.map((r, i) => follow(r, i))), ids }),
);
