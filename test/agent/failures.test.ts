import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { burnEntrySchema, JobLedger } from '../../src/agent/ledger.js';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { makeIso } from '../helpers/iso.js';

let f: AgentFixture;
beforeAll(async () => {
  f = await agentFixture(['d1']);
  await makeIso(f.imagesDir, 'x.iso');
  // A pseudo-drive whose directory does not exist: xorriso cannot acquire it.
  await f.start({ drives: [{ name: 'gone', device: `stdio:${join(f.root, 'no-such-dir', 'drive.img')}` }] });
});
afterAll(() => f.cleanup());

it('turns an xorriso failure into a failed result with a clear reason, and frees the drive', async () => {
  const c = f.client();
  const s = await c.burn('a1', { jobId: 'fail-1', image: 'x.iso', drive: 'gone' });
  const r = await s.result;
  expect(r).toMatchObject({ outcome: 'failed', ok: false, verified: false });
  expect(r.message).toMatch(/^the drive is not available/);
  expect((await c.drives('a1'))[0]).not.toHaveProperty('busyWith');
  expect(await c.eject('a1', 'gone')).toMatchObject({ ejected: 'no-op', message: expect.stringContaining('pseudo-drive') });
});

it('refuses to start on an unreadable ledger rather than forget its jobs', async () => {
  await writeFile(join(f.root, 'jobs.json'), '{not json');
  expect(() => new JobLedger(f.root, 'jobs', burnEntrySchema)).toThrow(/not valid JSON/);
  // Valid JSON that is not a ledger is refused too: a job read wrongly could be burnt again.
  await writeFile(join(f.root, 'jobs.json'), JSON.stringify({ v: 1, jobs: [{ jobId: 'j1', image: 'a.iso', drive: 'd1', startedAt: '2026-01-01T00:00:00.000Z', result: { outcome: 'ok' } }] }));
  expect(() => new JobLedger(f.root, 'jobs', burnEntrySchema)).toThrow(/cannot read \(jobs\.0\.result\.ok: /);
  await writeFile(join(f.root, 'jobs.json'), 'null');
  expect(() => new JobLedger(f.root, 'jobs', burnEntrySchema)).toThrow(/cannot read/);
});

it('refuses to start on a journal line it cannot read, naming the file and the line; only a torn last line is dropped', async () => {
  const dir = join(f.root, 'journal');
  await mkdir(dir);
  const file = join(dir, 'jobs.jsonl');
  const line = (jobId: string, more: object = {}): string => `${JSON.stringify({ jobId, image: 'a.iso', drive: 'd1', startedAt: '2026-01-01T00:00:00.000Z', ...more })}\n`;
  // A line cut short that is not the last one is no crash's doing: the file is damaged.
  await writeFile(file, `${line('j1')}{"jobId":"j2","ima\n${line('j3')}`);
  expect(() => new JobLedger(dir, 'jobs', burnEntrySchema)).toThrow(`the job ledger ${file} line 2 is not valid JSON`);
  await writeFile(file, `${line('j1')}${line('j2', { result: { outcome: 'ok' } })}`);
  expect(() => new JobLedger(dir, 'jobs', burnEntrySchema)).toThrow(`the job ledger ${file} line 2 has entries this agent cannot read (result.ok: `);
  await writeFile(file, `${line('j1')}\n`);
  expect(() => new JobLedger(dir, 'jobs', burnEntrySchema)).toThrow(`the job ledger ${file} line 2 is not valid JSON`);
});
