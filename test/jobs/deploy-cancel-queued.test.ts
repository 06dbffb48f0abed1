import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/main.js';
import { buildConfig } from '../../src/config/load.js';
import { lineInvocation } from '../helpers/command-line.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { RecordingTransport, texts } from '../helpers/test-adapter.js';

const DEP = { key: 'console:dee', name: 'dee' };
const redis = redisPrefix();
afterAll(async () => {
  await redis.cleanup();
});

describe('/deploy cancel of a deploy no worker has taken (BullMQ, no workers in this process)', () => {
  it('drops it, unlocks the target, ends its thread and records its end once, as cancelled', async () => {
    const config = buildConfig(
      {
        redis: { url: REDIS_URL, prefix: redis.prefix },
        access: { users: [{ key: DEP.key, roles: ['deployer'] }] },
        deploy: { targets: [{ name: 'site', kind: 'webhook', url: 'http://127.0.0.1:9/never' }] },
      },
      'test',
    );
    // As `opsline start --no-workers`: the job waits in its queue.
    const app = await buildApp(config, { log: pino({ level: 'silent' }), demo: false });
    const transport = new RecordingTransport();
    app.transports.add(transport);
    try {
      const say = async (line: string) => (await app.dispatcher.dispatch(lineInvocation(DEP, line), transport.starter(DEP))).text;
      const queued = await say('/deploy site main');
      const id = /^deploy job (d[a-z0-9]{6}) /.exec(queued)?.[1] ?? '';
      expect(id, queued).not.toBe('');
      expect((await app.services.deploys?.queue.get(id))?.state).toBe('queued');
      expect(await app.services.jobLog?.get(id)).toBeUndefined();
      expect(await say(`/deploy cancel ${id}`)).toBe(`deploy job ${id} removed from the queue; site is unlocked`);
      expect(texts(transport.messages).at(-1)).toBe('@dee deploy cancelled by @dee before it started');
      expect(await app.services.jobLog?.get(id)).toMatchObject({ id, kind: 'deploy', summary: 'deploy of site main', requesterKey: DEP.key, outcome: 'cancelled', ok: false, result: 'deploy cancelled by dee before it started' });
      expect((await app.services.jobLog?.history(10))?.map((r) => r.id)).toEqual([id]);
    } finally {
      await app.stop();
    }
  }, 30_000);
});
