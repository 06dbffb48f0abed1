import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { MaybeDoneError, onRedis } from '../../src/services/redis-errors.js';
import { freePort } from '../helpers/agent-fixture.js';
import { REDIS_URL } from '../helpers/redis.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const f = { what: 'the queue', consequence: 'nothing was queued', ifSent: 'job b1 may or may not be queued' };

describe('onRedis: a Redis call on a command path', () => {
  it('that is never answered: `unavailable`, and "may or may not" once the call went out', async () => {
    const never = new Promise<never>(() => undefined);
    await expect(onRedis(never, f, 50)).rejects.toThrow(new MaybeDoneError('the queue is unavailable; job b1 may or may not be queued (Redis did not answer within 0.1 s)'));
    await expect(onRedis(never, { what: 'the queue', consequence: 'nothing was changed' }, 50)).rejects.toMatchObject({ code: 'unavailable', message: 'the queue is unavailable; nothing was changed (Redis did not answer within 0.1 s)' });
  });

  it('to a Redis that is down: certainly not sent', async () => {
    const down = new Redis(`redis://127.0.0.1:${await freePort()}`, { maxRetriesPerRequest: 0, lazyConnect: true });
    down.on('error', () => undefined);
    cleanups.push(() => down.disconnect());
    const err = await onRedis(down.set('k', 'v'), f).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(MaybeDoneError);
    expect(err).toMatchObject({ code: 'unavailable', message: 'the queue is unavailable; nothing was queued (Redis cannot be reached)' });
  });

  it('that Redis answers with an error of another kind: passed on as it is (a bug, not an outage)', async () => {
    const redis = new Redis(REDIS_URL);
    cleanups.push(() => redis.disconnect());
    const err = await onRedis(redis.eval("return redis.error_reply('boom')", 0), f).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/boom/);
  });
});
