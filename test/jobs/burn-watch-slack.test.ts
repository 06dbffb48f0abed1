import { afterEach, describe, expect, it } from 'vitest';
import { burnWorld, type BurnWorld } from '../helpers/burn-world.js';

let w: BurnWorld | undefined;
afterEach(async () => {
  await w?.cleanup();
  w = undefined;
});

describe('/burn watch in Slack', () => {
  it('follows a burn run by a worker process into a thread of its own, to the verified end, mentioning the watcher', async () => {
    w = await burnWorld();
    await w.startAgent();
    await w.startWorker();
    const root = await w.burn('release.iso', 'd1');
    const rootText = String(w.slack.callsOf('chat.postMessage').find((c) => c.response?.ts === root)?.body.text);
    const jobId = /\(job (b[a-z0-9]{6})\)/.exec(rootText)?.[1];
    expect(jobId, rootText).toBeDefined();
    const r = await w.say('C2', 'burn', `watch ${jobId}`);
    expect(r.text).toBe(`following burn job ${jobId} in the thread until it ends`);
    const watchRoot = w.slack.callsOf('chat.postMessage').find((c) => c.body.channel === 'C2' && !c.body.thread_ts);
    expect(String(watchRoot?.body.text)).toMatch(new RegExp(`^watching burn job ${jobId}: release\\.iso on a1/d1 for olga \\(for <@UOP>\\)$`));
    const watchTs = String(watchRoot?.response?.ts);
    // The job's own thread and the watcher's both end with the verified result.
    expect(await w.final(root)).toBe('<@UOP> burn of release.iso on d1 finished ✔ (verified)');
    expect(await w.final(watchTs)).toBe('<@UOP> burn of release.iso on d1 finished ✔ (verified)');
    const mirrored = w.texts('chat.postMessage', watchTs);
    expect(mirrored.some((t) => t.startsWith('verified ✔ the disc matches the image'))).toBe(true);
    // The watcher's live status was edited as the job's was (a progress bar, then the final status).
    const watchStatus = w.slack.callsOf('chat.postMessage').find((c) => c.body.thread_ts === watchTs)?.response?.ts;
    const edits = w.slack.callsOf('chat.update').filter((c) => c.body.ts === watchStatus).map((c) => String(c.body.text));
    expect(edits.at(-1)).toMatch(/^✔ done in \d+:\d\d$/);
  }, 120_000);
});
