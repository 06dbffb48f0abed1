import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/core/reply.js';
import { burnWorld, type BurnWorld } from '../helpers/burn-world.js';
import { startSentinelSet, type SentinelSet } from '../helpers/redis-sentinel.js';

let world: BurnWorld | undefined;
let set: SentinelSet | undefined;
afterEach(async () => {
  await world?.cleanup();
  await set?.stop();
  world = set = undefined;
});

const COMMANDS = 200;
const KILL_AT = 60;
const DONE = (drive: string) => `<@UOP> burn of release.iso on ${drive} finished ✔ (verified)`;

/** The job id in the root line of the thread rooted at `rootTs`: `… (job b1234ab)`. */
function jobOf(w: BurnWorld, rootTs: string): string {
  const root = w.slack.callsOf('chat.postMessage').find((c) => c.response?.ts === rootTs);
  const id = /\(job ([bd][a-z0-9]{6})\)$/.exec(String(root?.body.text))?.[1];
  if (!id) throw new Error(`no job id in ${String(root?.body.text)}`);
  return id;
}

/**
 * Issue 28 item 4: Redis is a primary, a replica and three sentinels (docs/hosting.md). The bot and
 * an `opsline worker` child find the primary through the sentinels. The primary is SIGKILLed while a
 * burn writes, a deploy runs and 200 commands are asked one after another: the replica is promoted,
 * every command is answered (a result, or "unavailable" saying what was not done), every job that a
 * reply said was queued runs to its end exactly once, and none that was refused runs at all.
 */
describe('fault: the Redis primary dies under Sentinel', () => {
  it('promotes the replica; every command is answered; every queued job runs once and a refused one never', async () => {
    set = await startSentinelSet();
    const s = set;
    const runs = join(tmpdir(), `opsline-sentinel-deploys-${process.pid}-${Date.now()}.log`);
    await writeFile(runs, '');
    // The deploy command logs its ref to a file the test counts, then takes a few seconds.
    const script = `require('node:fs').appendFileSync(${JSON.stringify(runs)}, process.argv[1] + '\\n'); setTimeout(() => console.log('deployed'), 3000);`;
    // A job's lock outlasts the failover, as jobs.lockDurationMs (30 s by default) must (docs/hosting.md).
    const w = (world = await burnWorld({ drives: ['d1', 'd2'], imageBytes: 2 * 1024 * 1024, redis: s.redis, lockDurationMs: 10_000, deployArgv: [process.execPath, '-e', script, '{ref}'] }));
    await w.startAgent();
    await w.startWorker();
    await w.app.startWorkers();

    const running = await w.burn('release.iso', 'd1');
    await w.writing();
    const deploy = await w.say('C1', 'deploy', 'site v1');
    expect(deploy.text).toMatch(/^deploy job d[a-z0-9]{6} of site at v1 queued/);
    const burnId = jobOf(w, running);

    // 200 commands, one after another: reads of the queue, of the locks, and a few burns asked for (one right
    // after the kill, while no primary is there).
    const asked: { text: string; reply: Reply | undefined; after: boolean }[] = [];
    let killedAt = 0;
    let recovered = 0;
    for (let i = 0; i < COMMANDS; i++) {
      if (i === KILL_AT) {
        s.killPrimary();
        killedAt = Date.now();
      }
      const [command, text] =
        i % 50 === 25 || i === KILL_AT + 2 ? ['burn', 'release.iso d2'] : i % 3 === 0 ? ['jobs', ''] : i % 3 === 1 ? ['burn', `status ${burnId}`] : ['deploy', 'list'];
      const reply = await w.say('C1', command, text);
      asked.push({ text: `/${command} ${text}`, reply, after: killedAt > 0 });
      if (killedAt && !recovered && asked.slice(KILL_AT).some((a) => a.reply?.code) && !reply.code) recovered = Date.now();
      // Paced, so that the failover happens while commands are still being asked.
      await new Promise((r) => setTimeout(r, 40));
    }
    await s.promoted();
    process.stderr.write(`sentinel failover: commands served again ${recovered - killedAt} ms after the primary died\n`);
    expect(await s.primaryNow()).toEqual([s.replicaPort, s.replicaPort, s.replicaPort]);

    // Every command was answered, with a result or a short "unavailable" that says what was not done.
    expect(asked).toHaveLength(COMMANDS);
    for (const a of asked) {
      expect(a.reply?.text, a.text).toBeTruthy();
      if (a.reply?.code) expect([a.text, a.reply.code, a.reply.text]).toEqual([a.text, 'unavailable', expect.stringMatching(/ is unavailable; /)]);
    }
    // Some were asked while there was no primary, and all after the promotion were served.
    expect(asked.filter((a) => a.after && a.reply?.code === 'unavailable').length).toBeGreaterThan(0);
    expect(asked.at(-1)?.reply?.code).toBeUndefined();

    // The burn that was writing, the deploy, and each burn a reply said was queued: each ends once.
    expect(await w.final(running, 90_000)).toBe(DONE('d1'));
    const queued = asked.filter((a) => a.text.startsWith('/burn release.iso') && /^burn job b[a-z0-9]{6} queued/.test(a.reply?.text ?? ''));
    const refused = asked.filter((a) => a.text.startsWith('/burn release.iso') && a.reply?.code);
    expect(queued.length + refused.length).toBe(asked.filter((a) => a.text.startsWith('/burn release.iso')).length);
    expect(refused.map((r) => r.reply?.text)).toContainEqual(expect.stringMatching(/^the queue is unavailable; nothing was queued \(/));
    for (const q of queued) {
      const id = /^burn job (b[a-z0-9]{6})/.exec(q.reply!.text)![1]!;
      const root = w.slack.callsOf('chat.postMessage').find((c) => !c.body.thread_ts && String(c.body.text).endsWith(`(job ${id})`))?.response?.ts as string;
      expect(await w.final(root, 90_000)).toBe(DONE('d2'));
    }
    await w.slack.waitFor(() => w.texts('chat.postMessage').some((t) => /^<@UOP> deploy of site v1 /.test(t)), 60_000);
    expect(w.texts('chat.postMessage').filter((t) => /^<@UOP> deploy of site v1 /.test(t))).toEqual([expect.stringMatching(/^<@UOP> deploy of site v1 finished ✔/)]);
    // Once each: one xorriso burn per queued burn, one run of the deploy command, one final line per thread.
    expect(await w.xorrisoBurns()).toBe(1 + queued.length);
    expect((await readFile(runs, 'utf8')).split('\n').filter(Boolean)).toEqual(['v1']);
    expect(w.texts('chat.postMessage').filter((t) => t.startsWith('<@UOP> burn of'))).toHaveLength(1 + queued.length);

    // And after it all, the promoted primary takes new jobs.
    const again = await w.burn('release.iso', 'd2');
    expect(await w.final(again, 90_000)).toBe(DONE('d2'));
  }, 300_000);
});
