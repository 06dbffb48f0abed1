import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPath } from '../../src/agent/burner/verify.js';
import { burnKind } from '../../src/agent/burner/burn-kind.js';
import { JobManager } from '../../src/agent/jobs.js';
import type { AgentMessage } from '../../src/protocol/index.js';
import type { JobEvent } from '../../src/services/devices/index.js';
import { agentFixture, silent, type AgentFixture } from '../helpers/agent-fixture.js';
import { makeIso } from '../helpers/iso.js';
import { withLedgerBlocked } from '../helpers/ledger-file.js';
import { rawDealer } from '../helpers/raw-dealer.js';
import { until } from '../helpers/until.js';
import { countingXorriso } from '../helpers/xorriso-counter.js';

const MB = 1024 * 1024;
let f: AgentFixture;
const driveFile = (name: string): string => readPath(f.drives.find((d) => d.name === name)!.device);

beforeAll(async () => {
  // 2000k ≈ 2 MB/s: a 3 MB image takes about 2 s, long enough to act mid-burn.
  f = await agentFixture(['d1', 'd2', 'd3', 'd4', 'd5'], '2000k');
  await Promise.all([
    makeIso(f.imagesDir, 'alpha.iso', { bytes: 3 * MB, volumeId: 'ALPHA' }),
    makeIso(f.imagesDir, 'beta.iso', { bytes: 3 * MB, volumeId: 'BETA' }),
  ]);
  await f.start();
});
afterAll(() => f.cleanup());

describe('burn', () => {
  it('writes with progress events, verifies by SHA-256 and reports eject as a no-op on a pseudo-drive', async () => {
    const c = f.client();
    const s = await c.burn('a1', { jobId: 'ok-1', image: 'alpha.iso', drive: 'd1' });
    expect(s.attached).toBe(false);
    const events: JobEvent[] = [];
    for await (const e of s) events.push(e);
    const writing = events.filter((e) => e.type === 'progress' && e.phase === 'writing' && e.bytes > 0);
    expect(writing.length).toBeGreaterThanOrEqual(3);
    const last = writing.at(-1)!;
    expect(last.type === 'progress' && last.bytes === last.total).toBe(true);
    expect(events.some((e) => e.type === 'progress' && e.phase === 'verifying')).toBe(true);
    expect(events.some((e) => e.type === 'log' && /pseudo-drive/.test(e.line))).toBe(true);
    const r = await s.result;
    expect(r).toMatchObject({ outcome: 'ok', ok: true, verified: true, ejected: 'no-op', image: 'alpha.iso', drive: 'd1' });
    expect(r.imageSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.driveSha256).toBe(r.imageSha256);
    // The drive holds padding after the file system: verify read exactly the image's byte count.
    expect((await stat(driveFile('d1'))).size).toBeGreaterThan(r.bytes!);
    expect(await c.status('a1', 'ok-1')).toMatchObject({ state: 'finished', result: { outcome: 'ok' } });
  });

  it('reports a verify mismatch, with both digests, when the drive returns different bytes', async () => {
    const c = f.client();
    const s = await c.burn('a1', { jobId: 'bad-1', image: 'beta.iso', drive: 'd2' });
    let corrupted = false;
    for await (const e of s) {
      // Once 2 MB are on the "disc", damage a sector that xorriso has already written and will not touch again.
      if (!corrupted && e.type === 'progress' && e.phase === 'writing' && e.bytes >= 2 * MB) {
        const fh = await open(driveFile('d2'), 'r+');
        await fh.write(Buffer.alloc(2048, 0xee), 0, 2048, 40 * 2048);
        await fh.close();
        corrupted = true;
      }
    }
    expect(corrupted).toBe(true);
    const r = await s.result;
    expect(r).toMatchObject({ outcome: 'verify_mismatch', ok: false, verified: false, ejected: false });
    expect(r.imageSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.driveSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.driveSha256).not.toBe(r.imageSha256);
  });

  it('cancels a running burn with SIGINT and frees the drive', async () => {
    const c = f.client();
    const s = await c.burn('a1', { jobId: 'cancel-1', image: 'alpha.iso', drive: 'd3', speed: '1000k' });
    for await (const e of s) {
      if (e.type === 'progress' && e.phase === 'writing' && e.bytes > 0) {
        await c.cancel('a1', 'cancel-1');
        break;
      }
    }
    const st = await waitFinished(c, 'cancel-1');
    expect(st).toMatchObject({ outcome: 'cancelled', ok: false });
    expect((await c.drives('a1')).find((d) => d.name === 'd3')?.busyWith).toBeUndefined();
    await expect(c.cancel('a1', 'cancel-1')).rejects.toMatchObject({ code: 'conflict' });
    await expect(c.cancel('a1', 'never-was')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a second burn on a busy drive, naming the job using it', async () => {
    const c = f.client();
    const first = await c.burn('a1', { jobId: 'busy-1', image: 'alpha.iso', drive: 'd4', verify: false });
    await expect(c.burn('a1', { jobId: 'busy-2', image: 'beta.iso', drive: 'd4' })).rejects.toMatchObject({
      code: 'conflict',
      agentCode: 'busy',
      message: expect.stringContaining('busy-1'),
    });
    expect((await c.drives('a1')).find((d) => d.name === 'd4')).toMatchObject({ kind: 'pseudo', busyWith: 'busy-1' });
    await expect(c.eject('a1', 'd4')).rejects.toMatchObject({ code: 'conflict' });
    expect((await first.result).outcome).toBe('ok');
    expect(await c.status('a1', 'busy-2')).toEqual({ jobId: 'busy-2', state: 'unknown' });
  });

  it('re-attaches by jobId while running and after finishing, never burning twice', async () => {
    const c1 = f.client();
    const c2 = f.client();
    const s1 = await c1.burn('a1', { jobId: 'again-1', image: 'beta.iso', drive: 'd5', verify: true });
    const s2 = await c2.burn('a1', { jobId: 'again-1', image: 'beta.iso', drive: 'd5', verify: true });
    expect(s2.attached).toBe(true);
    const seen: JobEvent[] = [];
    s2.on((e) => seen.push(e));
    const [r1, r2] = await Promise.all([s1.result, s2.result]);
    expect(r2).toEqual(r1);
    expect(seen.some((e) => e.type === 'progress')).toBe(true);
    const before = await readFile(driveFile('d5'));
    const mtime = (await stat(driveFile('d5'))).mtimeMs;
    const s3 = await c2.burn('a1', { jobId: 'again-1', image: 'beta.iso', drive: 'd5' });
    expect(s3.attached).toBe(true);
    expect(await s3.result).toEqual(r1);
    expect((await stat(driveFile('d5'))).mtimeMs).toBe(mtime);
    expect((await readFile(driveFile('d5'))).equals(before)).toBe(true);
    const w = await c1.watch('a1', 'again-1');
    expect(await w.result).toEqual(r1);
    await expect(c1.watch('a1', 'no-such-job')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('finishes a burn, frees the drive and keeps its result when the ledger file cannot be written', async () => {
    const c = f.client();
    // A directory where the ledger file stands makes every write of it fail.
    await expect(withLedgerBlocked(f.stateDir, 'jobs', () => c.burn('a1', { jobId: 'not-recorded', image: 'beta.iso', drive: 'd5' }))).rejects.toThrow(/cannot record the job in the state directory: EISDIR/);
    const s = await c.burn('a1', { jobId: 'ledger-fail', image: 'beta.iso', drive: 'd5', verify: false });
    await withLedgerBlocked(f.stateDir, 'jobs', async () => {
      expect((await s.result).outcome).toBe('ok');
      expect(await c.status('a1', 'ledger-fail')).toMatchObject({ state: 'finished', result: { outcome: 'ok' } });
      const again = await c.burn('a1', { jobId: 'ledger-fail', image: 'beta.iso', drive: 'd5' });
      expect(again.attached).toBe(true);
      expect((await c.drives('a1')).find((d) => d.name === 'd5')?.busyWith).toBeUndefined();
    });
  });

  it('answers accepted before the job sends anything: xorriso is spawned after the answer is on its way', async () => {
    const dealer = rawDealer(f.agent!.endpoint, f.serverKeys.publicKey, f.clientKeys);
    try {
      await dealer.send(JSON.stringify({ v: 1, id: 'order-1', op: 'burn', jobId: 'order-1', image: 'beta.iso', drive: 'd2', verify: false }));
      await dealer.next((m) => m.op === 'done' && m.jobId === 'order-1');
      const ofJob = dealer.received.filter((m) => (m as { jobId?: string }).jobId === 'order-1').map((m) => (m as { op: string }).op);
      expect(ofJob[0]).toBe('accepted');
      expect(ofJob).toContain('progress');
    } finally {
      dealer.close();
    }
  });

  it('a burn cancelled before its start ends cancelled without running xorriso or announcing a write', async () => {
    const xorriso = await countingXorriso(f.root);
    const sent: AgentMessage[] = [];
    let finished: () => void = () => undefined;
    const done = new Promise<void>((r) => (finished = r));
    const burns = burnKind({ stateDir: join(f.root, 'early-state'), drives: [{ name: 'early', device: `stdio:${join(f.root, 'early.img')}` }], imagesDir: f.imagesDir, xorriso: xorriso.path });
    const jobs = new JobManager({
      kinds: [burns],
      log: silent,
      send: (_peer, m) => {
        sent.push(m);
        if (m.op === 'done') finished();
      },
    });
    await jobs.start(burns, Buffer.from('early'), { v: 1, id: '1', op: 'burn', jobId: 'early-1', image: 'alpha.iso', drive: 'early', verify: true, eject: true });
    jobs.cancel('early-1');
    await done;
    expect(sent.map((m) => m.op)).toEqual(['done']);
    expect(sent[0]).toMatchObject({ result: { outcome: 'cancelled' } });
    expect(await xorriso.burns()).toBe(0);
  });

  it('lists images and drives, and answers hello', async () => {
    const c = f.client();
    expect(await c.hello('a1')).toMatchObject({ agent: 'test-agent', v: 1, drives: 5 });
    const images = await c.images('a1');
    expect(images.map((i) => [i.name, i.volumeId])).toEqual([
      ['alpha.iso', 'ALPHA'],
      ['beta.iso', 'BETA'],
    ]);
    expect(images[0]!.size % 2048).toBe(0);
    expect(images[0]!.size).toBeGreaterThan(3 * MB);
  });
});

async function waitFinished(c: ReturnType<AgentFixture['client']>, jobId: string) {
  const finished = async () => {
    const st = await c.status('a1', jobId);
    return st.state === 'finished' ? st : undefined;
  };
  return (await until(finished, { everyMs: 100, what: `job ${jobId} to finish` })).result;
}
