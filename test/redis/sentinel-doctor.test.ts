import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.js';
import { redisChecks } from '../../src/services/queue/doctor.js';
import { startSentinelSet, type SentinelSet } from '../helpers/redis-sentinel.js';

let set: SentinelSet;
beforeAll(async () => {
  set = await startSentinelSet();
}, 60_000);
afterAll(() => set.stop());

describe('opsline doctor with redis.sentinels', () => {
  it('names the set, finds the primary through the sentinels and counts its replica', async () => {
    const [check] = redisChecks(buildConfig({ redis: set.redis }));
    const ports = set.redis.sentinels.map((s) => `127.0.0.1:${s.port}`).join(',');
    expect(check?.target).toBe(`sentinel opsline-t@${ports}`);
    expect(await check!.run()).toBe(`sentinel opsline-t@${ports}: primary 127.0.0.1:${set.primaryPort} answers with 1 replica; appendonly on`);
  });

  it('fails when no sentinel answers', async () => {
    const [check] = redisChecks(buildConfig({ redis: { sentinels: [{ host: '127.0.0.1', port: 1 }], name: 'opsline-t' } }));
    await expect(check!.run()).rejects.toThrow();
  });
});
