import { afterEach, describe, expect, it } from 'vitest';
import { burnWorld, type BurnWorld } from '../helpers/burn-world.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';

let w: BurnWorld | undefined;
let redis: OwnRedis | undefined;
afterEach(async () => {
  await w?.cleanup();
  await redis?.stop();
  w = redis = undefined;
});

const DONE = (drive: string) => `<@UOP> burn of release.iso on ${drive} finished ✔ (verified)`;

describe('fault: Redis restarts (append-only persistence, as docs/burn.md recommends) with jobs queued', () => {
  it('keeps the running burn reporting to the end of its thread and runs the queued ones afterwards, each once', async () => {
    redis = await startOwnRedis();
    w = await burnWorld({ drives: ['d1', 'd2'], redisUrl: redis.url });
    await w.startAgent();
    await w.app.startWorkers();
    const running = await w.burn('release.iso', 'd1');
    await w.writing();
    // Queued: one behind the running burn on its drive, one on the idle drive but enqueued while Redis goes down.
    const behind = await w.burn('release.iso', 'd1');
    const other = await w.burn('release.iso', 'd2');
    await redis.restart();

    expect(await w.final(running, 90_000)).toBe(DONE('d1'));
    expect(await w.final(other, 90_000)).toBe(DONE('d2'));
    expect(await w.final(behind, 90_000)).toBe(DONE('d1'));
    for (const root of [running, behind, other]) expect(w.texts('chat.postMessage', root).filter((t) => /failed|lost track|✘/.test(t))).toEqual([]);
    expect(await w.xorrisoBurns()).toBe(3);
  }, 180_000);
});
