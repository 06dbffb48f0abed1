import { afterEach, describe, expect, it } from 'vitest';
import { burnWorld, type BurnWorld } from '../helpers/burn-world.js';

let w: BurnWorld | undefined;
afterEach(async () => {
  await w?.cleanup();
  w = undefined;
});

describe('fault: SIGKILL of the worker mid-burn', () => {
  it('while writing: the next worker re-attaches, xorriso ran once, and the same thread gets the verified result', async () => {
    // Long enough (about 20 s of writing) that the replacement worker starts before the burn ends, even on a busy machine.
    w = await burnWorld({ imageBytes: 8 * 1024 * 1024 });
    await w.startAgent();
    const first = await w.startWorker();
    const root = await w.burn('release.iso', 'd1');
    // The worker and the agent are both separate processes here, as in production (`opsline worker`, `opsline agent`).
    await w.writing();
    first.kill('SIGKILL');
    await w.startWorker();
    expect(await w.final(root)).toBe('<@UOP> burn of release.iso on d1 finished ✔ (verified)');
    const thread = w.texts('chat.postMessage', root);
    expect(thread, JSON.stringify(thread)).toContain('re-attached to the running burn (the previous worker stopped)');
    expect(thread.filter((t) => /failed|lost track|✘/.test(t))).toEqual([]);
    expect(await w.xorrisoBurns()).toBe(1);
  }, 120_000);
});
