import { afterEach, describe, expect, it } from 'vitest';
import { burnWorld, type BurnWorld } from '../helpers/burn-world.js';

// Longer than final()'s wait below: a requester who hears at all has heard within two heartbeats, and
// before any heartbeat lapsed or request timed out (5 min), so no clock needs reading.
const HEARTBEAT_MS = 60_000;
const FINAL_WAIT_MS = 30_000;
let w: BurnWorld | undefined;
afterEach(async () => {
  await w?.cleanup();
  w = undefined;
});

describe('fault: SIGKILL of the agent mid-burn', () => {
  it('posts a clear failure in the thread within two heartbeats, and never retries the burn', async () => {
    w = await burnWorld({ heartbeatMs: HEARTBEAT_MS, requestTimeoutMs: 300_000, imageBytes: 8 * 1024 * 1024 });
    const agent = await w.startAgent();
    await w.app.startWorkers();
    const root = await w.burn('release.iso', 'd1');
    await w.writing();
    agent.kill('SIGKILL');
    // Issue 15's target: the requester hears within two heartbeat intervals, not after a timeout.
    const final = await w.final(root, FINAL_WAIT_MS);
    expect(final).toMatch(/^<@UOP> .*device agent lost during burn; the disc may be unusable/);
    expect(await w.xorrisoBurns()).toBe(1);
  }, 120_000);
});
