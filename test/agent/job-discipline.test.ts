import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/services/devices/index.js';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { makeIso } from '../helpers/iso.js';
import { ledgerStates, withLedgerBlocked } from '../helpers/ledger-file.js';
import { rawDealer, type RawDealer } from '../helpers/raw-dealer.js';

// Burns and deploy commands share one job manager (src/agent/jobs.ts): what holds for one kind holds for the other.
let f: AgentFixture;
let marker: string;

const lastEvent = async (s: AsyncIterable<RunEvent>): Promise<RunEvent | undefined> => {
  let last: RunEvent | undefined;
  for await (const e of s) last = e;
  return last;
};

let commands: Parameters<AgentFixture['start']>[0];

beforeAll(async () => {
  f = await agentFixture(['d1']);
  marker = join(f.root, 'ran');
  await makeIso(f.imagesDir, 'x.iso');
  commands = {
    commands: {
      mark: { argv: [process.execPath, '-e', `require('node:fs').appendFileSync(${JSON.stringify(marker)}, process.argv[1] + '\\n')`, '{ref}'], refPattern: '^[a-z0-9-]+$', timeoutSec: 30 },
      // A host's own, permissive pattern: it lets through a ref that no process can be given (a NUL byte).
      any: { argv: [process.execPath, '-e', '', '{ref}'], refPattern: '.+', timeoutSec: 30 },
    },
  };
  await f.start(commands);
});
afterAll(() => f.cleanup());

const ledgerIds = (name: string): string[] => [...ledgerStates(f.stateDir, name).keys()];

describe('a job whose ledger entry cannot be written', () => {
  it('is refused for a burn with the reason, starts nothing and leaves no trace', async () => {
    const c = f.client();
    const refused = withLedgerBlocked(f.stateDir, 'jobs', () => c.burn('a1', { jobId: 'unrecorded-burn', image: 'x.iso', drive: 'd1', verify: false }));
    await expect(refused).rejects.toMatchObject({ agentCode: 'internal', message: expect.stringMatching(/cannot record the job in the state directory: EISDIR/) });
    expect(await c.status('a1', 'unrecorded-burn')).toEqual({ jobId: 'unrecorded-burn', state: 'unknown' });
    await expect(c.cancel('a1', 'unrecorded-burn')).rejects.toMatchObject({ code: 'not_found', agentCode: 'unknown_job' });
    expect((await c.drives('a1'))[0]).not.toHaveProperty('busyWith');
    const s = await c.burn('a1', { jobId: 'recorded-burn', image: 'x.iso', drive: 'd1', verify: false });
    expect((await s.result).outcome).toBe('ok');
    // The refused job never reaches the file, so a restarted agent cannot report it as interrupted.
    expect(ledgerIds('jobs')).toEqual(['recorded-burn']);
  });

  it('is refused for a deploy command just as for a burn, and the command never runs', async () => {
    const c = f.client();
    const refused = withLedgerBlocked(f.stateDir, 'runs', () => c.run('a1', { jobId: 'unrecorded-run', command: 'mark', ref: 'first' }));
    await expect(refused).rejects.toMatchObject({ agentCode: 'internal', message: expect.stringMatching(/cannot record the job in the state directory: EISDIR/) });
    expect(await c.runStatus('a1', 'unrecorded-run')).toEqual({ jobId: 'unrecorded-run', state: 'unknown' });
    await expect(c.cancel('a1', 'unrecorded-run')).rejects.toMatchObject({ code: 'not_found', agentCode: 'unknown_job' });
    expect(await lastEvent(await c.run('a1', { jobId: 'recorded-run', command: 'mark', ref: 'second' }))).toMatchObject({ type: 'done', result: { outcome: 'ok' } });
    expect((await readFile(marker, 'utf8')).split('\n').filter(Boolean)).toEqual(['second']);
    expect(ledgerIds('runs')).toEqual(['recorded-run']);
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

/** The agent stopped and started again on the same state directory (a new port: clients made after this reach it). */
async function restartAgent(): Promise<void> {
  await f.agent!.close();
  await f.start(commands);
}

/** What a job of each kind leaves behind when it runs: the drive's bytes, or the marker's lines. */
const traces = {
  burn: async () => {
    const drive = join(f.root, 'drives', 'd1.img');
    return { mtimeMs: (await stat(drive)).mtimeMs, bytes: (await readFile(drive)).toString('base64') };
  },
  run: async () => readFile(marker, 'utf8'),
};

/** One request as a third-party client sends it, and what comes back for its jobId, in order, up to its `done`. */
async function ask(d: RawDealer, req: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  const from = d.received.length;
  await d.send(JSON.stringify({ v: 1, ...req }));
  await d.next((m) => m.op === 'done' && m.jobId === req.jobId, from);
  return d.received.slice(from).filter((m): m is Record<string, unknown> => (m as { op?: string }).op !== 'heartbeat' && (m as { jobId?: string }).jobId === req.jobId);
}

const burnReq = (jobId: string) => ({ op: 'burn', id: `${jobId}-burn`, jobId, image: 'x.iso', drive: 'd1', verify: false });
const runReq = (jobId: string) => ({ op: 'run', id: `${jobId}-run`, jobId, command: 'mark', ref: 'again' });

describe('a finished job, re-attached by its jobId', () => {
  const kinds = [
    { kind: 'burn', req: burnReq, trace: traces.burn },
    { kind: 'run', req: runReq, trace: traces.run },
  ] as const;

  it.each(kinds)('($kind) answers accepted {attached: true} and its recorded done, from any client and after an agent restart, and runs nothing again', async ({ kind, req, trace }) => {
    const jobId = `finished-${kind}`;
    const first = rawDealer(f.agent!.endpoint, f.serverKeys.publicKey, f.clientKeys);
    const started = await ask(first, req(jobId));
    first.close();
    expect(started[0]).toEqual({ v: 1, op: 'accepted', id: req(jobId).id, jobId, attached: false });
    const result = started.at(-1)!.result;
    expect(started.at(-1)).toMatchObject({ op: 'done', result: { outcome: 'ok' } });
    const after = await trace();
    // The same answer, whoever asks and whenever: the job's result, never a second run.
    const again = [{ op: 'accepted', id: req(jobId).id, jobId, attached: true }, { v: 1, op: 'done', jobId, result }].map((m) => ({ v: 1, ...m }));
    for (const restart of [false, true]) {
      if (restart) await restartAgent();
      const other = rawDealer(f.agent!.endpoint, f.serverKeys.publicKey, f.clientKeys);
      try {
        expect(await ask(other, req(jobId))).toEqual(again);
      } finally {
        other.close();
      }
    }
    expect(await trace()).toEqual(after);
  });

  it('is one job whatever the kind of the request: a run with a burn’s jobId, or a burn with a run’s, re-attaches to that job and starts nothing', async () => {
    const d = rawDealer(f.agent!.endpoint, f.serverKeys.publicKey, f.clientKeys);
    try {
      const burnt = (await ask(d, burnReq('one-id-burn'))).at(-1)!.result;
      const ran = (await ask(d, runReq('one-id-run'))).at(-1)!.result;
      const before = [await traces.burn(), await traces.run()];
      expect(await ask(d, { ...runReq('one-id-burn'), id: 'cross-1' })).toEqual([
        { v: 1, op: 'accepted', id: 'cross-1', jobId: 'one-id-burn', attached: true },
        { v: 1, op: 'done', jobId: 'one-id-burn', result: burnt },
      ]);
      expect(await ask(d, { ...burnReq('one-id-run'), id: 'cross-2' })).toEqual([
        { v: 1, op: 'accepted', id: 'cross-2', jobId: 'one-id-run', attached: true },
        { v: 1, op: 'done', jobId: 'one-id-run', result: ran },
      ]);
      expect([await traces.burn(), await traces.run()]).toEqual(before);
    } finally {
      d.close();
    }
  });
});
