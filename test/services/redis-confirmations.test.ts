import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisConfirmations } from '../../src/services/redis-confirmations.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function store(): { confirmations: RedisConfirmations; prefix: string; raw: Redis } {
  const p = redisPrefix();
  const confirmations = new RedisConfirmations(REDIS_URL, p.prefix, pino({ level: 'silent' }));
  const raw = new Redis(REDIS_URL);
  cleanups.push(p.cleanup, async () => confirmations.close(), async () => void raw.disconnect());
  return { confirmations, prefix: p.prefix, raw };
}

const invocation = { id: 'inv-1', platform: 'console', principal: { key: 'console:ann', name: 'ann' }, room: 'console', command: 'deploy', text: 'site', receivedAt: new Date('2026-11-27T10:00:00.000Z') };

describe('held requests in Redis', () => {
  it('come back with their shape, the date a Date', async () => {
    const { confirmations } = store();
    const held = await confirmations.add({ principalKey: 'console:ann', path: 'deploy run', args: { target: 'site' }, invocation, specs: '[]' });
    const taken = await confirmations.take(held.code, 'console:ann');
    expect(taken).toMatchObject({ ok: true, pending: { path: 'deploy run', args: { target: 'site' } } });
    if (taken.ok) expect(taken.pending.invocation.receivedAt).toEqual(invocation.receivedAt);
  });

  it('are parsed, not cast: one that does not fit is no request at all', async () => {
    const { confirmations, prefix, raw } = store();
    for (const [code, text] of [['AAAAAA', '{"principalKey":"console:ann","path":"deploy run"}'], ['BBBBBB', 'not json'], ['CCCCCC', '{"principalKey":"console:ann","__proto__":{"expiresAt":1e15}}']]) {
      await raw.set(`${prefix}:confirm:${code}`, text!);
      expect(await confirmations.peek(code!)).toBeUndefined();
      expect(await confirmations.take(code!, 'console:ann')).toEqual({ ok: false, reason: 'unknown' });
    }
  });
});
