import { afterEach, describe, expect, it } from 'vitest';
import { burnWorld, type BurnWorld } from '../helpers/burn-world.js';

const HEARTBEAT_MS = 1000;
let w: BurnWorld | undefined;
afterEach(async () => {
  await w?.cleanup();
  w = undefined;
});

describe('fault: SIGKILL of the agent mid-burn', () => {
  it('posts a clear failure in the thread within two heartbeats, and never retries the burn', async () => {
    w = await burnWorld({ heartbeatMs: HEARTBEAT_MS, imageBytes: 8 * 1024 * 1024 });
    const agent = await w.startAgent();
    await w.app.startWorkers();
    const root = await w.burn('release.iso', 'd1');
    await w.writing();
    const killed = performance.now();
    agent.kill('SIGKILL');
    const final = await w.final(root);
    const ms = performance.now() - killed;
    expect(final).toMatch(/^<@UOP> .*device agent lost during burn; the disc may be unusable/);
    // Issue 15's target: the requester hears within two heartbeat intervals, not after a timeout.
    expect(ms).toBeLessThan(2 * HEARTBEAT_MS);
    expect(await w.xorrisoBurns()).toBe(1);
  }, 120_000);
});
