import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBurnQueue } from '../../src/services/queue/memory.js';
import { ZmqDeviceClient } from '../../src/services/devices/client.js';
import { agentFixture, freePort, silent, type AgentFixture } from '../helpers/agent-fixture.js';
import { makeIso } from '../helpers/iso.js';
import { TestAdapter, texts, users } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

const OP = 'console:op';
const VIEWER = 'console:vic';
const fixtures: AgentFixture[] = [];
const bots: TestAdapter[] = [];

afterEach(async () => {
  await Promise.all(bots.splice(0).map((b) => b.app.stop()));
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

/** A real agent with pseudo-drives, the in-process queue, and the real dispatcher. */
async function setup(drives = ['virtual'], speed = '1500k') {
  const f = await agentFixture(drives, speed);
  fixtures.push(f);
  await makeIso(f.imagesDir, 'release.iso', { bytes: 2 * 1024 * 1024 });
  await f.start();
  const devices = f.client();
  const bot = await TestAdapter.create({
    config: { access: { users: users({ [OP]: ['operator'], [VIEWER]: ['viewer'] }) } },
    burns: { devices, queue: new MemoryBurnQueue() },
  });
  bots.push(bot);
  return { f, bot };
}

const finished = (bot: TestAdapter, n = 1) => () => bot.transport.messages.filter((m) => m.text.startsWith('@op ')).length >= n;

describe('/burn through the dispatcher, a real agent and xorriso', () => {
  it('burns, verifies and reports in one thread with a live status and a final mention', async () => {
    const { bot } = await setup();
    const [r] = await bot.say(OP, '/burn release.iso');
    expect(r?.text).toMatch(/^burn job (b[a-z0-9]{6}) queued on a1\/virtual \(starting now\); progress is in the thread$/);
    const id = /job (b[a-z0-9]{6})/.exec(r!.text)![1]!;
    await until(finished(bot));
    const m = bot.transport.messages;
    expect(texts(m)).toEqual([
      `burning release.iso on virtual for @op (job ${id})`,
      'queued',
      'writing release.iso to virtual',
      'verifying…',
      'ejecting…',
      expect.stringMatching(/^verified ✔ the disc matches the image\nsha256 [0-9a-f]{64}$/),
      'eject skipped: a pseudo-drive has no tray',
      '@op burn of release.iso on virtual finished ✔ (verified)',
    ]);
    const edits = m.filter((x) => x.kind === 'edit');
    expect(edits.every((e) => e.id === 'm2')).toBe(true);
    expect(edits.some((e) => /^writing [█░]{20} \d+% · /.test(e.text))).toBe(true);
    expect(edits.at(-1)?.text).toMatch(/^✔ done in \d+:\d\d$/);
    expect(bot.audit.records.at(-1)).toMatchObject({ command: 'burn start', outcome: 'ok', jobId: id });
    expect(await bot.text(VIEWER, `/burn status ${id}`)).toMatch(new RegExp(`^${id} release.iso on a1/virtual for op: done ✔`));
  });

  it('refuses bad input before anything is queued', async () => {
    const { bot } = await setup();
    const cases: [string, string][] = [
      ['/burn ../etc/passwd.iso', 'image must be an image name ending in .iso (letters, digits, . _ -); /images lists them. Usage: /burn <image.iso> [drive] [--no-verify]'],
      ['/burn /etc/passwd.iso', 'image must be an image name ending in .iso (letters, digits, . _ -); /images lists them. Usage: /burn <image.iso> [drive] [--no-verify]'],
      ['/burn "a;rm -rf /.iso"', 'image must be an image name ending in .iso (letters, digits, . _ -); /images lists them. Usage: /burn <image.iso> [drive] [--no-verify]'],
      ['/burn $(id).iso', 'image must be an image name ending in .iso (letters, digits, . _ -); /images lists them. Usage: /burn <image.iso> [drive] [--no-verify]'],
      ['/burn missing.iso', 'no image missing.iso on a1; /images lists what can be burnt'],
      ['/burn release.iso dvd9', 'no drive named dvd9; known: a1/virtual'],
      ['/burn release.iso virtual --fast', 'unknown option --fast. Usage: /burn <image.iso> [drive] [--no-verify]'],
      ['/burn cancel nope', 'no burn job nope; /burn list shows the queued and running ones'],
      ['/burn status "b1; DROP"', 'job must be a job id such as b7k2x9q (letters, digits, . _ : -); /jobs lists them. Usage: /burn status [job]'],
    ];
    for (const [line, expected] of cases) expect(await bot.text(OP, line)).toBe(expected);
    expect(await bot.text(VIEWER, '/burn release.iso')).toBe('/burn needs the operator role; your key is console:vic (an admin can grant it)');
    expect(bot.transport.messages).toEqual([]);
    expect(await bot.text(OP, '/burn list')).toBe('no burns queued or running');
  });

  it('runs two burns on one drive one after the other, and cancels a queued one', async () => {
    const { bot } = await setup();
    const first = await bot.text(OP, '/burn release.iso');
    const second = await bot.text(OP, '/burn release.iso virtual --no-verify');
    const third = await bot.text(OP, '/burn release.iso');
    expect(first).toContain('(starting now)');
    expect(second).toContain('(1 ahead of it)');
    expect(third).toContain('(2 ahead of it)');
    const [id1, id2, id3] = [first, second, third].map((t) => /job (b[a-z0-9]{6})/.exec(t)![1]!);
    const list = await bot.text(VIEWER, '/burn list');
    expect(list.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${id1} release.iso on a1/virtual for op: `)),
      `${id2} release.iso on a1/virtual for op: queued, 1 ahead`,
      `${id3} release.iso on a1/virtual for op: queued, 2 ahead`,
    ]);
    const jobs = (await bot.text(VIEWER, '/jobs')).split('\n');
    expect(jobs.slice(1)).toEqual(list.split('\n').slice(1).map((l) => `burn ${l}`));
    expect(jobs[0]).toMatch(new RegExp(`^burn ${id1} release.iso on a1/virtual for op: `));
    expect(await bot.text(OP, `/burn cancel ${id3}`)).toBe(`burn job ${id3} removed from the queue`);
    expect(bot.transport.messages.at(-1)?.text).toBe('@op burn cancelled by @op before it started');
    await until(finished(bot, 3));
    const lines = texts(bot.transport.messages);
    const end1 = lines.indexOf('@op burn of release.iso on virtual finished ✔ (verified)');
    const start2 = lines.lastIndexOf('writing release.iso to virtual');
    expect(end1).toBeGreaterThan(-1);
    expect(start2).toBeGreaterThan(end1);
    expect(lines.at(-1)).toBe('@op burn of release.iso on virtual finished ✔');
    expect(await bot.text(OP, `/burn cancel ${id1}`)).toBe(`burn job ${id1} has already finished`);
  });

  it('cancels a running burn on the agent and says so in the thread', async () => {
    const { bot } = await setup(['virtual'], '300k');
    const id = /job (b[a-z0-9]{6})/.exec(await bot.text(OP, '/burn release.iso'))![1]!;
    await until(() => bot.transport.messages.some((m) => m.kind === 'edit' && m.text.startsWith('writing')));
    expect(await bot.text(OP, `/burn cancel ${id}`)).toBe(`cancelling burn job ${id} on virtual; the thread shows when it has stopped`);
    await until(finished(bot));
    expect(bot.transport.messages.at(-1)?.text).toBe('@op burn of release.iso on virtual was cancelled; the disc may be unusable');
    expect(bot.transport.messages.filter((m) => m.kind === 'edit').at(-1)?.text).toBe('✘ cancelled');
  });

  it('waits for a drive still busy with a burn it lost track of, instead of failing', async () => {
    const { f, bot } = await setup(['virtual'], '1500k');
    const direct = await f.client().burn('a1', { jobId: 'lost-track', image: 'release.iso', drive: 'virtual', verify: false });
    expect(await bot.text(OP, '/burn release.iso')).toMatch(/^burn job b[a-z0-9]{6} queued/);
    await until(() => bot.transport.messages.some((m) => m.kind === 'edit' && m.text === 'waiting: drive virtual is busy with job lost-track'));
    await direct.result;
    await until(finished(bot));
    expect(bot.transport.messages.at(-1)?.text).toBe('@op burn of release.iso on virtual finished ✔ (verified)');
  }, 40_000);

  it('cancels a job that waits for a busy drive, so it never starts', async () => {
    const { f, bot } = await setup(['virtual'], '1500k');
    const direct = await f.client().burn('a1', { jobId: 'lost-track-2', image: 'release.iso', drive: 'virtual', verify: false });
    const id = /job (b[a-z0-9]{6})/.exec(await bot.text(OP, '/burn release.iso'))![1]!;
    await until(() => bot.transport.messages.some((m) => m.kind === 'edit' && m.text.startsWith('waiting: ')));
    expect(await bot.text(OP, `/burn cancel ${id}`)).toBe(`burn job ${id} had not reached the drive yet; it will not start`);
    await direct.result;
    await until(finished(bot));
    expect(bot.transport.messages.at(-1)?.text).toBe('@op burn of release.iso on virtual was cancelled before it started');
    expect(await f.client().status('a1', id)).toEqual({ jobId: id, state: 'unknown' });
  }, 40_000);

  it('lists drives and images, and ejects', async () => {
    const { bot } = await setup(['virtual', 'dvd2']);
    expect(await bot.text(VIEWER, '/images')).toMatch(/^a1: release\.iso {2}2\.\d MB {2}volume "OPSLINE_TEST"$/);
    expect(await bot.text(VIEWER, '/drives')).toMatch(/^a1 \((up|connecting)\):\n {2}virtual {2}pseudo 1500k {2}idle\n {2}dvd2 {2}pseudo 1500k {2}idle$/);
    expect(await bot.text(OP, '/eject')).toBe('which drive? one of: a1/virtual, a1/dvd2. Usage: /eject [drive]');
    expect(await bot.text(OP, '/eject a1/dvd2')).toMatch(/^a1\/dvd2: /);
    expect(await bot.text(VIEWER, '/eject dvd2')).toBe('/eject needs the operator role; your key is console:vic (an admin can grant it)');
  });
});

describe('with one of two agents down', () => {
  it('answers /drives, /images and /burn agent/drive promptly, naming the agent that is down', async () => {
    const f = await agentFixture(['virtual'], '1500k');
    fixtures.push(f);
    await makeIso(f.imagesDir, 'release.iso', { bytes: 1024 * 1024 });
    const agent = await f.start();
    const keys = { public: f.clientKeys.publicKey, secret: f.clientKeys.secretKey };
    const devices = new ZmqDeviceClient(
      [
        { name: 'a1', endpoint: agent.endpoint, serverKey: f.serverKeys.publicKey, heartbeatMs: 200, requestTimeoutMs: 10_000 },
        // A request timeout far beyond the test's own: a reply that waited it out for a2 would never come in time.
        { name: 'a2', endpoint: `tcp://127.0.0.1:${await freePort()}`, serverKey: f.serverKeys.publicKey, heartbeatMs: 200, requestTimeoutMs: 3_600_000 },
      ],
      keys,
      silent,
    );
    await until(() => devices.state('a2') === 'down' && devices.state('a1') === 'up');
    const bot = await TestAdapter.create({
      config: { access: { users: users({ [OP]: ['operator'] }) } },
      burns: { devices, queue: new MemoryBurnQueue() },
    });
    bots.push(bot);
    for (const line of ['/drives', '/images', '/burn release.iso a1/virtual']) {
      const text = await bot.text(OP, line);
      if (line !== '/burn release.iso a1/virtual') expect(text).toContain('a2');
      if (line === '/drives') expect(text).toMatch(/^a2 \(down\): unavailable \(agent a2 is not reachable \(down\)\)$/m);
    }
    await until(finished(bot));
  });
});
