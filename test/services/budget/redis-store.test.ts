import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RateBudget } from '../../../src/services/budget/budget.js';
import { RedisReservations } from '../../../src/services/budget/redis-store.js';
import { REDIS_URL, redisPrefix } from '../../helpers/redis.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function store(prefix: string): RedisReservations {
  const s = new RedisReservations(REDIS_URL, prefix, () => undefined);
  cleanups.push(() => s.close());
  return s;
}

describe('RedisReservations (the budget shared between processes)', () => {
  it('gives two clients of one key distinct slots, one interval apart', async () => {
    const p = redisPrefix();
    cleanups.push(() => p.cleanup());
    const [a, b] = [store(p.prefix), store(p.prefix)];
    // A minute apart: the waits (from Redis's own clock) then tell the slots apart, whatever this machine's speed.
    const rate = { intervalMs: 60_000, burst: 1 };
    // Interleaved, as two worker processes asking at once would be.
    const waits = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).reserve('slack:w:chat.update', rate)));
    waits.sort((x, y) => x - y);
    // Each reservation's slot is its own: with separate budgets the two first calls would share slot 0.
    expect(waits[0]).toBe(0);
    for (let i = 1; i < waits.length; i++) expect(waits[i]! - waits[i - 1]!).toBeGreaterThan(59_000);
  });

  it('holds every client after a 429 for Retry-After', async () => {
    const p = redisPrefix();
    cleanups.push(() => p.cleanup());
    const [a, b] = [store(p.prefix), store(p.prefix)];
    const rate = { intervalMs: 100, burst: 2 };
    await a.penalize('k', rate, 30_000);
    expect(await b.reserve('k', rate)).toBeGreaterThan(29_000);
  });

  it('keeps keys apart, and expires a key once its slots have passed', async () => {
    const p = redisPrefix();
    cleanups.push(() => p.cleanup());
    const a = store(p.prefix);
    const rate = { intervalMs: 60_000, burst: 1 };
    expect(await a.reserve('c1', rate)).toBe(0);
    expect(await a.reserve('c2', rate)).toBe(0);
    expect(await a.reserve('c1', rate)).toBeGreaterThan(59_000);
    const r = new Redis(REDIS_URL);
    cleanups.push(async () => void r.disconnect());
    const ttl = await r.pttl(`${p.prefix}:budget:c1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2 * 60_000 + 1000);
  });

  it('gives every caller its turn across processes: a busy process does not get more turns per thread', async () => {
    const p = redisPrefix();
    cleanups.push(() => p.cleanup());
    const [a, b] = [new RateBudget(store(p.prefix)), new RateBudget(store(p.prefix))];
    const rate = { intervalMs: 15, burst: 1 };
    const turns = new Map<string, number>();
    let total = 0;
    // Process a runs one thread, process b four; each thread edits again as soon as it had its turn.
    const thread = async (budget: RateBudget, name: string) => {
      while (total < 100) {
        await budget.take('slack:w:chat.update', rate);
        total++;
        turns.set(name, (turns.get(name) ?? 0) + 1);
      }
    };
    await Promise.all([thread(a, 'a1'), ...['b1', 'b2', 'b3', 'b4'].map((n) => thread(b, n))]);
    const counts = [...turns.values()];
    // Round robin over all five threads: about 20 each. Per-process fairness would give a1 about 50.
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(3);
  });
});
