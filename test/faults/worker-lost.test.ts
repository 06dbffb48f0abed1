import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { burnWorld, type BurnWorld } from '../helpers/burn-world.js';
import { until } from '../helpers/until.js';

let w: BurnWorld | undefined;
afterEach(async () => {
  await w?.cleanup();
  w = undefined;
});

const LOST = 'worker lost; waiting for another to pick it up';

/** The job id in a thread's root line: `… (job b1234ab)`. */
function jobOf(world: BurnWorld, rootTs: string): string {
  const root = world.slack.callsOf('chat.postMessage').find((c) => c.response?.ts === rootTs);
  const id = /\(job ([bd][a-z0-9]{6})\)$/.exec(String(root?.body.text))?.[1];
  if (!id) throw new Error(`no job id in ${String(root?.body.text)}`);
  return id;
}

describe('fault: a worker SIGKILLed mid-job while no other worker runs', () => {
  it('burn: the bot says the worker is lost, /burn status and /jobs ask the agent, the next worker posts what happened meanwhile', async () => {
    w = await burnWorld();
    const world = w;
    await w.startAgent();
    const first = await w.startWorker();
    const root = await w.burn('release.iso', 'd1');
    const id = jobOf(w, root);
    await w.writing();
    first.kill('SIGKILL');
    // The bot process (no workers of its own) sees the heartbeat stop and tells the thread; the bar does not freeze.
    await w.slack.waitFor(() => world.texts('chat.postMessage', root).includes(`${LOST} (job ${id})`), 30_000);
    await w.slack.waitFor(() => world.texts('chat.update').at(-1) === LOST, 30_000);

    // The agent burns on and finishes while nobody watches: status and /jobs say so, not a stale bar.
    const devices = w.app.services.burns!.devices;
    await until(async () => (await devices.status('a1', id)).state === 'finished', { timeoutMs: 60_000, everyMs: 250, what: 'the agent to finish the burn' });
    const said = new RegExp(
      `^${id} release\\.iso on a1/d1 for olga: no worker has reported for \\d+ s; waiting for another to pick it up \\(the agent says it has ended: done ✔ \\(written and verified; pseudo-drive: eject is a no-op\\)\\)$`,
    );
    expect((await w.say('C1', 'burn', `status ${id}`)).text).toMatch(said);
    expect((await w.say('C1', 'burn', 'status')).text).toMatch(said);
    expect((await w.say('C1', 'jobs', '')).text.replace(/^burn /, '')).toMatch(said);

    // The next worker re-attaches and posts what the agent did in the gap, in order, before the final line.
    await w.startWorker();
    expect(await w.final(root)).toBe('<@UOP> burn of release.iso on d1 finished ✔ (verified)');
    const thread = w.texts('chat.postMessage', root);
    expect(thread.slice(thread.indexOf(`${LOST} (job ${id})`)), JSON.stringify(thread)).toEqual([
      `${LOST} (job ${id})`,
      're-attached: the burn ended while no worker watched it (the previous worker stopped)',
      'verifying…',
      'ejecting…',
      expect.stringMatching(/^verified ✔ the disc matches the image\nsha256 [0-9a-f]{64}$/),
      'eject skipped: a pseudo-drive has no tray',
      '<@UOP> burn of release.iso on d1 finished ✔ (verified)',
    ]);
    expect(thread.filter((t) => t.startsWith('writing '))).toHaveLength(1);
    expect(await w.xorrisoBurns()).toBe(1);
  }, 120_000);

  it('command deploy: the same line, /jobs says nobody reports, and the next worker re-attaches to the ended command', async () => {
    const gate = join(tmpdir(), `opsline-gate-${process.pid}-${Date.now()}`);
    // The command prints, then waits for the test to open the gate: the deploy is running for as long as the test needs.
    const script = `console.log('started'); const fs = require('node:fs'); const t = setInterval(() => { if (fs.existsSync(${JSON.stringify(gate)})) { clearInterval(t); console.log('done'); } }, 100);`;
    w = await burnWorld({ deployArgv: [process.execPath, '-e', script] });
    const world = w;
    await w.startAgent();
    const first = await w.startWorker();
    const reply = await w.say('C1', 'deploy', 'site main');
    const id = /^deploy job (d[a-z0-9]{6}) /.exec(reply.text)?.[1];
    if (!id) throw new Error(`deploy not queued: ${reply.text}`);
    const root = w.slack.callsOf('chat.postMessage').find((c) => !c.body.thread_ts && String(c.body.text).endsWith(`(job ${id})`))?.response?.ts as string;
    // Both posted before the kill (a SIGKILL loses what was not sent yet).
    await w.slack.waitFor(() => world.texts('chat.update').some((t) => t.includes('started')) && world.texts('chat.postMessage', root).some((t) => t.startsWith('running: ')));
    first.kill('SIGKILL');
    await w.slack.waitFor(() => world.texts('chat.postMessage', root).includes(`${LOST} (job ${id})`), 30_000);
    expect((await w.say('C1', 'jobs', '')).text).toMatch(
      new RegExp(`^deploy ${id} site at main for olga: no worker has reported for \\d+ s; waiting for another to pick it up \\(last reported: running, 1 lines of output\\)$`),
    );

    await writeFile(gate, '');
    const devices = w.app.services.burns!.devices;
    await until(async () => (await devices.runStatus('a1', id)).state === 'finished', { timeoutMs: 60_000, everyMs: 250, what: 'the agent to finish the command' });
    await w.startWorker();
    const final = await w.final(root);
    expect(final).toMatch(/^<@UOP> deploy of site main finished ✔ \(exit 0, \d+:\d\d\)$/);
    const thread = w.texts('chat.postMessage', root);
    expect(thread, JSON.stringify(thread)).toContain('re-attached: the command ended while no worker watched it (the previous worker stopped)');
    expect(thread.filter((t) => t.startsWith('running: '))).toHaveLength(1);
    await rm(gate, { force: true });
  }, 120_000);
});
