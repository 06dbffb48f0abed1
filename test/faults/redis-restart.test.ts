import { afterEach, describe, expect, it } from 'vitest';
import { burnWorld, type BurnWorld } from '../helpers/burn-world.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';

let world: BurnWorld | undefined;
let server: OwnRedis | undefined;
afterEach(async () => {
  await world?.cleanup();
  await server?.stop();
  world = server = undefined;
});

/** Its own Redis, drives d1 and d2, and a burn on d1 that is writing (`running`, the root of its thread). */
async function burnRunning(): Promise<{ w: BurnWorld; redis: OwnRedis; running: string }> {
  const redis = (server = await startOwnRedis());
  const w = (world = await burnWorld({ drives: ['d1', 'd2'], redisUrl: redis.url }));
  await w.startAgent();
  await w.app.startWorkers();
  const running = await w.burn('release.iso', 'd1');
  await w.writing();
  return { w, redis, running };
}

const DONE = (drive: string) => `<@UOP> burn of release.iso on ${drive} finished ✔ (verified)`;

describe('fault: Redis goes down and comes back (append-only persistence, as docs/burn.md recommends)', () => {
  it('keeps the running burn reporting to the end of its thread and runs the ones queued before the restart afterwards, each once', async () => {
    const { w, redis, running } = await burnRunning();
    // Both queued before the restart: one behind the running burn on its drive, one on the idle drive.
    const behind = await w.burn('release.iso', 'd1');
    const other = await w.burn('release.iso', 'd2');
    await redis.restart();

    expect(await w.final(running, 90_000)).toBe(DONE('d1'));
    expect(await w.final(other, 90_000)).toBe(DONE('d2'));
    expect(await w.final(behind, 90_000)).toBe(DONE('d1'));
    for (const root of [running, behind, other]) expect(w.texts('chat.postMessage', root).filter((t) => /failed|lost track|✘/.test(t))).toEqual([]);
    expect(await w.xorrisoBurns()).toBe(3);
  }, 180_000);

  it('tells whoever asks for a burn while Redis is down that it was not queued, and runs nothing for it once Redis is back', async () => {
    const { w, redis, running } = await burnRunning();
    await redis.down();

    const roots = () => w.slack.callsOf('chat.postMessage').filter((c) => !c.body.thread_ts);
    const before = roots().length;
    const refused = await w.say('C1', 'burn', 'release.iso d2');
    // The caller hears that it failed (an error reply, with its code), not that it was queued.
    expect(refused.code).toBe('unavailable');
    expect(refused.text).toMatch(/^the queue is unavailable; nothing was queued \(/);
    // The job's opening is written before its thread (docs/hosting.md, "What a SIGKILL loses"): Redis did not take
    // it, so no thread was posted either.
    expect(roots().length).toBe(before);

    await redis.up();
    expect(await w.final(running, 90_000)).toBe(DONE('d1'));
    // Asked again, it runs; had the refused request been queued after all (a command replayed on reconnect),
    // it would be ahead of this one on d2's lane and burn first.
    const again = await w.burn('release.iso', 'd2');
    expect(await w.final(again, 90_000)).toBe(DONE('d2'));
    expect(await w.xorrisoBurns()).toBe(2);
    // Nothing of the refused request is left in Redis for a sweep to tell a channel about, and none did.
    expect(await w.app.services.burns?.queue.staleOpenings?.(0)).toEqual([]);
    expect(roots().map((c) => String(c.body.text)).filter((t) => t.includes('stopped before the job was queued'))).toEqual([]);
  }, 180_000);
});
