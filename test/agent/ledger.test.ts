import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burnEntrySchema, JobLedger, runEntrySchema, type RunEntry } from '../../src/agent/ledger.js';
import { z85Encode } from '../../src/protocol/index.js';
import { ledgerLines, withLedgerBlocked } from '../helpers/ledger-file.js';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:00:15.000Z';
let root: string;
let n = 0;
/** A state directory of its own for each test. */
const fresh = async (): Promise<string> => {
  const dir = join(root, `s${++n}`);
  await mkdir(dir);
  return dir;
};
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opsline-ledger-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const burnResult = { outcome: 'ok', ok: true, message: 'ok', image: 'y.iso', drive: 'd2', verified: true, ejected: 'no-op', startedAt: T0, finishedAt: T1 } as const;
const run = (jobId: string, pid?: number): RunEntry => ({ jobId, command: 'uptime', args: {}, startedAt: T0, ...(pid ? { pid } : {}) });
const runResult = { kind: 'run', outcome: 'ok', ok: true, message: 'exit 0', command: 'uptime', args: {}, exitCode: 0, signal: null, durationMs: 3, startedAt: T0, finishedAt: T1 } as const;

it('keeps jobs across instances, with unfinished ones found on the next start', async () => {
  const dir = await fresh();
  const a = new JobLedger(dir, 'jobs', burnEntrySchema);
  a.start({ jobId: 'j1', image: 'x.iso', drive: 'd1', startedAt: T0 });
  a.setPid('j1', 1234);
  a.start({ jobId: 'j2', image: 'y.iso', drive: 'd2', startedAt: T0 });
  a.finish('j2', burnResult);
  const b = new JobLedger(dir, 'jobs', burnEntrySchema);
  expect(b.unfinished().map((e) => [e.jobId, e.pid])).toEqual([['j1', 1234]]);
  expect(b.get('j2')?.result?.outcome).toBe('ok');
  expect(b.notes).toEqual([]);
});

describe('the journal', () => {
  it('appends one line per state change, the result clearing the pid in its own line, and rewrites nothing', async () => {
    const dir = await fresh();
    const ledger = new JobLedger(dir, 'runs', runEntrySchema);
    for (let i = 0; i < 20; i++) {
      ledger.start(run(`r${i}`));
      ledger.finish(`r${i}`, runResult);
    }
    const before = readFileSync(join(dir, 'runs.jsonl'), 'utf8');
    ledger.start(run('last'));
    ledger.setPid('last', 4321);
    ledger.finish('last', runResult);
    const after = readFileSync(join(dir, 'runs.jsonl'), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(ledgerLines(dir, 'runs').slice(-3)).toEqual([run('last'), run('last', 4321), { ...run('last'), result: runResult }]);
  });

  it('drops a torn last line, says so, and rewrites the file whole on its next change', async () => {
    const dir = await fresh();
    const a = new JobLedger(dir, 'runs', runEntrySchema);
    a.start(run('r1', 11));
    a.start(run('r2'));
    a.finish('r2', runResult);
    // The agent died in the middle of writing the pid of r3: the line has no newline yet.
    appendFileSync(join(dir, 'runs.jsonl'), JSON.stringify(run('r3', 33)).slice(0, 25));
    const b = new JobLedger(dir, 'runs', runEntrySchema);
    expect(b.notes).toEqual([`the job ledger ${join(dir, 'runs.jsonl')} ended in a line cut short (the agent stopped while writing it); that line was dropped`]);
    expect(b.unfinished()).toEqual([run('r1', 11)]);
    expect(b.get('r3')).toBeUndefined();
    b.finish('r1', runResult);
    // Rewritten, not appended after the torn line: one whole line per job, last changed last.
    expect(ledgerLines(dir, 'runs')).toEqual([{ ...run('r2'), result: runResult }, { ...run('r1'), result: runResult }]);
    expect(new JobLedger(dir, 'runs', runEntrySchema).notes).toEqual([]);
  });

  it('after a write that failed, rewrites the file whole from what it holds in memory', async () => {
    const dir = await fresh();
    const ledger = new JobLedger(dir, 'runs', runEntrySchema);
    ledger.start(run('r1'));
    await withLedgerBlocked(dir, 'runs', async () => {
      expect(() => ledger.setPid('r1', 77)).toThrow(/EISDIR/);
      expect(() => ledger.start(run('refused'))).toThrow(/EISDIR/);
      // The second try was a whole rewrite (temp file + rename onto the blocked name): its temp file is gone.
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
    expect(ledger.get('r1')?.pid).toBe(77);
    expect(ledger.get('refused')).toBeUndefined();
    ledger.start(run('r2'));
    expect(ledgerLines(dir, 'runs')).toEqual([run('r1', 77), run('r2')]);
  });

  it('is compacted past its bound, keeping the last state of each job and the 500 jobs finished last', async () => {
    const dir = await fresh();
    const ledger = new JobLedger(dir, 'runs', runEntrySchema);
    let longest = 0;
    for (let i = 0; i < 1_200; i++) {
      ledger.start(run(`r${i}`));
      ledger.setPid(`r${i}`, 1000 + i);
      ledger.finish(`r${i}`, runResult);
      longest = Math.max(longest, readFileSync(join(dir, 'runs.jsonl'), 'utf8').split('\n').length - 1);
    }
    ledger.start(run('running', 9));
    // Rewritten whole once it holds twice as many lines as entries (500 finished, one running): never longer.
    expect(longest).toBeLessThanOrEqual(2 * 501);
    const back = new JobLedger(dir, 'runs', runEntrySchema);
    expect(back.get('r699')).toBeUndefined();
    expect(back.get('r700')?.result).toEqual(runResult);
    expect(back.get('r1199')).toEqual({ ...run('r1199'), result: runResult });
    expect(back.unfinished()).toEqual([run('running', 9)]);
  });
});

describe('an upgrade from the ledger before the journal', () => {
  const legacy = (jobs: unknown[]): string => JSON.stringify({ v: 1, jobs });

  it('reads runs.json once, rewrites it as runs.jsonl, removes it, and keeps every job', async () => {
    const dir = await fresh();
    writeFileSync(join(dir, 'runs.json'), legacy([{ ...run('done'), result: runResult }, run('cut', 4242), { jobId: 'deploy', command: 'flaskr', ref: 'main', startedAt: T0 }]));
    const ledger = new JobLedger(dir, 'runs', runEntrySchema);
    expect(ledger.notes).toEqual([`the job ledger ${join(dir, 'runs.json')} (3 entries) was rewritten as ${join(dir, 'runs.jsonl')} and removed`]);
    expect(existsSync(join(dir, 'runs.json'))).toBe(false);
    expect(ledger.get('done')?.result).toEqual(runResult);
    expect(ledger.unfinished()).toEqual([run('cut', 4242), { jobId: 'deploy', command: 'flaskr', ref: 'main', startedAt: T0 }]);
    expect(ledgerLines(dir, 'runs').map((l) => l.jobId)).toEqual(['done', 'cut', 'deploy']);
    const again = new JobLedger(dir, 'runs', runEntrySchema);
    expect(again.notes).toEqual([]);
    expect(again.unfinished().map((e) => e.jobId)).toEqual(['cut', 'deploy']);
  });

  it('migrates jobs.json the same way', async () => {
    const dir = await fresh();
    writeFileSync(join(dir, 'jobs.json'), legacy([{ jobId: 'b1', image: 'x.iso', drive: 'd1', startedAt: T0, pid: 99 }]));
    expect(new JobLedger(dir, 'jobs', burnEntrySchema).unfinished()).toEqual([{ jobId: 'b1', image: 'x.iso', drive: 'd1', startedAt: T0, pid: 99 }]);
    expect(existsSync(join(dir, 'jobs.json'))).toBe(false);
    expect(new JobLedger(dir, 'jobs', burnEntrySchema).get('b1')?.pid).toBe(99);
  });

  it('merges an old file found next to a journal (an older agent ran after the upgrade), its states winning', async () => {
    const dir = await fresh();
    const a = new JobLedger(dir, 'runs', runEntrySchema);
    a.start(run('both', 5));
    a.start(run('journal-only'));
    writeFileSync(join(dir, 'runs.json'), legacy([{ ...run('both'), result: runResult }, run('old-only')]));
    const b = new JobLedger(dir, 'runs', runEntrySchema);
    expect(b.get('both')).toEqual({ ...run('both'), result: runResult });
    expect(b.unfinished().map((e) => e.jobId)).toEqual(['journal-only', 'old-only']);
    expect(existsSync(join(dir, 'runs.json'))).toBe(false);
  });
});

it('encodes Z85 as in RFC 32', () => {
  expect(z85Encode(Uint8Array.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]))).toBe('HelloWorld');
});
