import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { burnEntrySchema, JobLedger } from '../../src/agent/ledger.js';
import { z85Encode } from '../../src/protocol/index.js';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:00:15.000Z';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsline-ledger-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('keeps jobs across instances, with unfinished ones found on the next start', () => {
  const a = new JobLedger(dir, 'jobs.json', burnEntrySchema);
  a.start({ jobId: 'j1', image: 'x.iso', drive: 'd1', startedAt: T0 });
  a.setPid('j1', 1234);
  a.start({ jobId: 'j2', image: 'y.iso', drive: 'd2', startedAt: T0 });
  a.finish('j2', { outcome: 'ok', ok: true, message: 'ok', image: 'y.iso', drive: 'd2', verified: true, ejected: 'no-op', startedAt: T0, finishedAt: T1 });
  const b = new JobLedger(dir, 'jobs.json', burnEntrySchema);
  expect(b.unfinished().map((e) => [e.jobId, e.pid])).toEqual([['j1', 1234]]);
  expect(b.get('j2')?.result?.outcome).toBe('ok');
});

it('encodes Z85 as in RFC 32', () => {
  expect(z85Encode(Uint8Array.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]))).toBe('HelloWorld');
});
