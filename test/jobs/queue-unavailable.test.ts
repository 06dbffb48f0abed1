import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_DEADLINE_MS } from '../../src/http/deadline.js';
import { BullBurnQueue } from '../../src/services/queue/bullmq.js';
import type { BurnJobData } from '../../src/services/queue/types.js';
import { agentFixture, freePort, type AgentFixture } from '../helpers/agent-fixture.js';
import { makeIso } from '../helpers/iso.js';
import { startOwnRedis } from '../helpers/redis-server.js';
import { TestAdapter, texts, users } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

const OP = 'console:op';
const log = pino({ level: 'silent' });
let f: AgentFixture;
let b: TestAdapter;

beforeAll(async () => {
  f = await agentFixture(['d1']);
  await makeIso(f.imagesDir, 'release.iso', { bytes: 64 * 1024 });
  await f.start();
  // Nothing listens on this port: Redis is down.
  const url = `redis://127.0.0.1:${await freePort()}`;
  const queue = new BullBurnQueue({ url, prefix: 'opsline-t-down', lockDurationMs: 4000, stalledIntervalMs: 1000, log });
  b = await TestAdapter.create({ config: { access: { users: users({ [OP]: ['operator'] }) } }, burns: { devices: f.client(), queue } });
});
afterAll(async () => {
  await b?.app.stop();
  await f?.cleanup();
});

// Each test's own timeout is the platform's deadline: before, a burn waited 5–9 s for the queue's
// retries and was then reported as a bug ("something went wrong on our side", audited `internal`).
describe('the queue when Redis is down', () => {
  it('says at once that the queue is unavailable and nothing was queued, audited unavailable', async () => {
    const [r] = await b.say(OP, '/burn release.iso d1');
    expect(r?.text).toMatch(/^the queue is unavailable; nothing was queued \(Redis (cannot be reached|did not answer within 1 s)\)$/);
    expect(r?.code).toBe('unavailable');
    expect(b.audit.records.at(-1)).toMatchObject({ command: 'burn start', outcome: 'error', errorCode: 'unavailable' });
    // The job's opening is written before its thread (docs/hosting.md, "What a SIGKILL loses"): no thread was posted.
    expect(b.transport.messages).toEqual([]);
  }, PLATFORM_DEADLINE_MS);

  it('answers /burn list and /burn status with unavailable, not an internal error', async () => {
    const [list] = await b.say(OP, '/burn list');
    expect(list).toMatchObject({ code: 'unavailable', text: expect.stringMatching(/^the queue is unavailable; nothing was changed \(/) });
    const [status] = await b.say(OP, '/burn status bxxxxxx');
    expect(status).toMatchObject({ code: 'unavailable', text: expect.stringMatching(/^the queue is unavailable; nothing was changed \(/) });
  }, PLATFORM_DEADLINE_MS);
});

describe('the queue when Redis stops answering while a job is being written', () => {
  it('says the job may or may not be queued and how to find out; the thread then shows the burn it was', async () => {
    // A Redis of this test's own: CLIENT PAUSE holds every client of the server.
    const redis = await startOwnRedis();
    const admin = new Redis(redis.url);
    let pause = false;
    // Writes stop being answered right after the thread is posted and recorded, as the job itself is written.
    class PausingQueue extends BullBurnQueue {
      override async opening(id: string, data: BurnJobData): Promise<boolean> {
        const ok = await super.opening(id, data);
        if (pause) await admin.call('CLIENT', 'PAUSE', '4000', 'WRITE');
        return ok;
      }
    }
    const queue = new PausingQueue({ url: redis.url, prefix: 'opsline-t-pause', lockDurationMs: 4000, stalledIntervalMs: 1000, log });
    const t = await TestAdapter.create({ config: { access: { users: users({ [OP]: ['operator'] }) } }, burns: { devices: f.client(), queue } });
    try {
      // One burn while all is well.
      expect(await t.text(OP, '/burn release.iso d1')).toMatch(/^burn job b[a-z0-9]{6} queued/);
      await until(() => texts(t.transport.messages).includes('@op burn of release.iso on d1 finished ✔ (verified)'), { timeoutMs: 60_000 });
      t.transport.messages.length = 0;
      // Then writes wait (the job's), reads and PING are answered: the queue looks up, then does not answer.
      pause = true;
      const [r] = await t.say(OP, '/burn release.iso d1');
      const id = /burn job (b[a-z0-9]{6})/.exec(r?.text ?? '')?.[1];
      expect(r?.code).toBe('unavailable');
      expect(r?.text).toBe(`the queue is unavailable; burn job ${id} may or may not be queued: /burn watch ${id} shows which (Redis did not answer within 2 s)`);
      expect(t.audit.records.at(-1)).toMatchObject({ command: 'burn start', errorCode: 'unavailable', jobId: id });
      const status = () => t.transport.messages.filter((m) => m.kind === 'edit').map((m) => m.text);
      await until(() => status().includes('the queue did not answer; if this burn was queued, it reports here'));
      // It was queued once Redis took writes again, and it reports in that very thread.
      await until(() => texts(t.transport.messages).includes('@op burn of release.iso on d1 finished ✔ (verified)'), { timeoutMs: 60_000 });
      expect(texts(t.transport.messages).filter((l) => l.includes('not queued'))).toEqual([]);
    } finally {
      admin.disconnect();
      await t.app.stop();
      await redis.stop();
    }
  }, 90_000);
});
