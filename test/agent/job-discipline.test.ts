import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/services/devices/index.js';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { makeIso } from '../helpers/iso.js';

// Burns and deploy commands share one job manager (src/agent/jobs.ts): what holds for one kind holds for the other.
let f: AgentFixture;
let marker: string;

const lastEvent = async (s: AsyncIterable<RunEvent>): Promise<RunEvent | undefined> => {
  let last: RunEvent | undefined;
  for await (const e of s) last = e;
  return last;
};

beforeAll(async () => {
  f = await agentFixture(['d1']);
  marker = join(f.root, 'ran');
  await makeIso(f.imagesDir, 'x.iso');
  await f.start({
    commands: {
      mark: { argv: [process.execPath, '-e', `require('node:fs').appendFileSync(${JSON.stringify(marker)}, process.argv[1] + '\\n')`, '{ref}'], refPattern: '^[a-z0-9-]+$', timeoutSec: 30 },
      // A host's own, permissive pattern: it lets through a ref that no process can be given (a NUL byte).
      any: { argv: [process.execPath, '-e', '', '{ref}'], refPattern: '.+', timeoutSec: 30 },
    },
  });
});
afterAll(() => f.cleanup());

/** While this directory stands where the ledger writes its temporary file, every save fails (root ignores modes). */
async function brokenLedger<T>(file: string, body: () => Promise<T>): Promise<T> {
  const blocker = join(f.stateDir, `${file}.${process.pid}.tmp`);
  await mkdir(blocker);
  try {
    return await body();
  } finally {
    await rm(blocker, { recursive: true, force: true });
  }
}

const ledgerIds = async (file: string): Promise<string[]> => (JSON.parse(await readFile(join(f.stateDir, file), 'utf8')) as { jobs: { jobId: string }[] }).jobs.map((j) => j.jobId);

describe('a job whose ledger entry cannot be written', () => {
  it('is refused for a burn with the reason, starts nothing and leaves no trace', async () => {
    const c = f.client();
    const refused = brokenLedger('jobs.json', () => c.burn('a1', { jobId: 'unrecorded-burn', image: 'x.iso', drive: 'd1', verify: false }));
    await expect(refused).rejects.toMatchObject({ agentCode: 'internal', message: expect.stringMatching(/cannot record the job in the state directory: EISDIR/) });
    expect(await c.status('a1', 'unrecorded-burn')).toEqual({ jobId: 'unrecorded-burn', state: 'unknown' });
    await expect(c.cancel('a1', 'unrecorded-burn')).rejects.toMatchObject({ code: 'not_found', agentCode: 'unknown_job' });
    expect((await c.drives('a1'))[0]).not.toHaveProperty('busyWith');
    const s = await c.burn('a1', { jobId: 'recorded-burn', image: 'x.iso', drive: 'd1', verify: false });
    expect((await s.result).outcome).toBe('ok');
    // The refused job never reaches the file, so a restarted agent cannot report it as interrupted.
    expect(await ledgerIds('jobs.json')).toEqual(['recorded-burn']);
  });

  it('is refused for a deploy command just as for a burn, and the command never runs', async () => {
    const c = f.client();
    const refused = brokenLedger('runs.json', () => c.run('a1', { jobId: 'unrecorded-run', command: 'mark', ref: 'first' }));
    await expect(refused).rejects.toMatchObject({ agentCode: 'internal', message: expect.stringMatching(/cannot record the job in the state directory: EISDIR/) });
    expect(await c.runStatus('a1', 'unrecorded-run')).toEqual({ jobId: 'unrecorded-run', state: 'unknown' });
    await expect(c.cancel('a1', 'unrecorded-run')).rejects.toMatchObject({ code: 'not_found', agentCode: 'unknown_job' });
    expect(await lastEvent(await c.run('a1', { jobId: 'recorded-run', command: 'mark', ref: 'second' }))).toMatchObject({ type: 'done', result: { outcome: 'ok' } });
    expect((await readFile(marker, 'utf8')).split('\n').filter(Boolean)).toEqual(['second']);
    expect(await ledgerIds('runs.json')).toEqual(['recorded-run']);
  });
});

describe('a job whose start throws', () => {
  it('ends failed with the reason, frees its slot, and the agent keeps serving', async () => {
    const c = f.client();
    const s = await c.run('a1', { jobId: 'nul-1', command: 'any', ref: 'a\u0000b' });
    expect(await lastEvent(s)).toMatchObject({ type: 'done', result: { kind: 'run', outcome: 'failed', ok: false, exitCode: null, message: expect.stringMatching(/^cannot run any: /) } });
    expect(await c.runStatus('a1', 'nul-1')).toMatchObject({ state: 'finished', result: { outcome: 'failed' } });
    expect(await lastEvent(await c.run('a1', { jobId: 'nul-2', command: 'any', ref: 'fine' }))).toMatchObject({ type: 'done', result: { outcome: 'ok' } });
    expect(await c.hello('a1')).toMatchObject({ agent: 'test-agent' });
  });
});
