import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burnKind } from '../../src/agent/burner/burn-kind.js';
import { JobManager } from '../../src/agent/jobs.js';
import { burnEntrySchema, JobLedger, runEntrySchema } from '../../src/agent/ledger.js';
import { runKind } from '../../src/agent/runner/run-kind.js';
import type { AgentMessage } from '../../src/protocol/index.js';
import { silent } from '../helpers/agent-fixture.js';
import { makeIso } from '../helpers/iso.js';
import { captureLog } from '../helpers/log-capture.js';
import { until } from '../helpers/until.js';
import { gone } from '../helpers/process-gone.js';

// The job manager driven directly; test/agent/burn.test.ts does the same with the burn kind alone.
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opsline-jobs-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

function manager(stateDir: string, argv: string[], log = silent) {
  const runs = runKind(join(root, stateDir), { probe: { argv, refPattern: '^[a-z]+$', timeoutSec: 30 } });
  const sent: AgentMessage[] = [];
  let finished: () => void = () => undefined;
  const done = new Promise<void>((r) => (finished = r));
  const jobs = new JobManager({
    kinds: [runs],
    log,
    send: (_peer, m) => {
      sent.push(m);
      if (m.op === 'done') finished();
    },
  });
  return { runs, jobs, sent, done };
}

describe('job manager, deploy commands', () => {
  it('a run cancelled between accepted and its start ends cancelled, records it, frees the command and never spawns it', async () => {
    const probe = join(root, 'probe-ran');
    const m = manager('early', [process.execPath, '-e', `require('node:fs').writeFileSync(${JSON.stringify(probe)}, 'ran')`]);
    const started = m.jobs.start(m.runs, Buffer.from('early'), { v: 1, id: '1', op: 'run', jobId: 'early-run', command: 'probe', ref: 'x' });
    expect(started).toEqual({ attached: false });
    m.jobs.cancel('early-run');
    await m.done;
    expect(m.sent.map((x) => x.op)).toEqual(['done']);
    // No signal: there was no process to stop.
    expect(m.sent[0]).toMatchObject({ result: { kind: 'run', outcome: 'cancelled', exitCode: null, signal: null } });
    await expect(access(probe)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(m.jobs.status(Buffer.from('early'), 'early-run', false)).toMatchObject({ state: 'finished', result: { outcome: 'cancelled' } });
    expect(m.jobs.holder(m.runs, 'probe')).toBeUndefined();
    expect(new JobLedger(join(root, 'early'), 'runs', runEntrySchema).get('early-run')?.result?.outcome).toBe('cancelled');
  });

  it('after an agent restart, reports a run that was cut short as failed-interrupted and stops its process group', async () => {
    const argv = [process.execPath, '-e', 'setInterval(() => {}, 1000)'];
    // The command a dead agent left running: its own process group and the job's id, as the agent spawns it.
    const orphan = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore', env: { OPSLINE_JOB_ID: 'cut-1' } });
    const exited = new Promise<NodeJS.Signals | null>((r) => orphan.once('exit', (_code, signal) => r(signal)));
    try {
      const ledger = new JobLedger(join(root, 'restart'), 'runs', runEntrySchema);
      ledger.start({ jobId: 'cut-1', command: 'probe', ref: 'main', startedAt: new Date().toISOString(), pid: orphan.pid! });
      const m = manager('restart', argv);
      await m.jobs.recover();
      expect(await exited).toBe('SIGTERM');
      expect(m.jobs.status(Buffer.from('a'), 'cut-1', false)).toMatchObject({ state: 'finished', result: { kind: 'run', outcome: 'failed_interrupted', ok: false, command: 'probe', ref: 'main' } });
      expect(new JobLedger(join(root, 'restart'), 'runs', runEntrySchema).unfinished()).toEqual([]);
      // A jobId it has a result for is re-attached, never run again.
      expect(m.jobs.start(m.runs, Buffer.from('a'), { v: 1, id: '2', op: 'run', jobId: 'cut-1', command: 'probe', ref: 'main' })).toMatchObject({ attached: true, finished: { outcome: 'failed_interrupted' } });
    } finally {
      orphan.kill('SIGKILL');
    }
  });

  it('after an upgrade, finds a run the old runs.json shows running, stops its process group and says it migrated the file', async () => {
    const argv = [process.execPath, '-e', 'setInterval(() => {}, 1000)'];
    const orphan = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore', env: { OPSLINE_JOB_ID: 'cut-2' } });
    const exited = new Promise<NodeJS.Signals | null>((r) => orphan.once('exit', (_code, signal) => r(signal)));
    try {
      const dir = join(root, 'upgrade');
      await mkdir(dir);
      // The ledger as an agent before the journal left it (docs/agent.md): one finished run, one cut short.
      const finished = { kind: 'run', outcome: 'ok', ok: true, message: 'exit 0', command: 'probe', ref: 'old', exitCode: 0, signal: null, durationMs: 5, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z' };
      const jobs = [
        { jobId: 'old-1', command: 'probe', ref: 'old', startedAt: '2026-01-01T00:00:00.000Z', result: finished },
        { jobId: 'cut-2', command: 'probe', ref: 'main', startedAt: new Date().toISOString(), pid: orphan.pid! },
      ];
      await writeFile(join(dir, 'runs.json'), JSON.stringify({ v: 1, jobs }));
      const logged = captureLog('warn');
      const m = manager('upgrade', argv, logged.log);
      await m.jobs.recover();
      expect(await exited).toBe('SIGTERM');
      expect(m.jobs.status(Buffer.from('a'), 'cut-2', false)).toMatchObject({ state: 'finished', result: { outcome: 'failed_interrupted', ref: 'main' } });
      expect(m.jobs.start(m.runs, Buffer.from('a'), { v: 1, id: '3', op: 'run', jobId: 'old-1', command: 'probe', ref: 'old' })).toEqual({ attached: true, finished });
      await logged.waitFor(/runs\.json \(2 entries\) was rewritten as .*runs\.jsonl and removed/);
      await expect(access(join(dir, 'runs.json'))).rejects.toMatchObject({ code: 'ENOENT' });
      expect(new JobLedger(dir, 'runs', runEntrySchema).get('cut-2')?.result?.outcome).toBe('failed_interrupted');
    } finally {
      orphan.kill('SIGKILL');
    }
  });

  /**
   * What a dead agent's command left: a shell (the command, its group's leader) that started `sleep` and exited, the
   * sleep still in the group. `env` is the command's environment; the sleep's pid is read from the shell's output.
   */
  async function leftBehind(env: Record<string, string>, sleep = 'sleep 600'): Promise<{ leader: number; left: number; signal: Promise<string> }> {
    const sh = spawn('/bin/sh', ['-c', `${sleep} >/dev/null 2>&1 & echo $!`], { detached: true, stdio: ['ignore', 'pipe', 'ignore'], env: { PATH: process.env.PATH ?? '', ...env } });
    let out = '';
    sh.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((r) => sh.once('close', r));
    const left = Number(out.trim());
    // Ready once the background shell has become the program (after its trap, when it has one).
    await until(() => readFileSync(`/proc/${left}/cmdline`, 'latin1').startsWith('sleep'), { what: `${left} to run sleep` });
    // How the left process ends: the shell's children are PID 1's now, so /proc is what tells.
    const signal = until(() => (gone(left) ? 'gone' : undefined), { what: `the left process ${left} to end`, timeoutMs: 30_000 });
    return { leader: sh.pid!, left, signal };
  }

  it('after an agent restart, stops what a run left in its group (marked with its job id) though the command itself had exited', async () => {
    const b = await leftBehind({ OPSLINE_JOB_ID: 'cut-3' });
    try {
      new JobLedger(join(root, 'left'), 'runs', runEntrySchema).start({ jobId: 'cut-3', command: 'probe', ref: 'main', startedAt: new Date().toISOString(), pid: b.leader });
      const logged = captureLog('warn');
      const m = manager('left', [process.execPath, '-e', ''], logged.log);
      await m.jobs.recover();
      expect(await b.signal).toBe('gone');
      expect(await logged.waitFor(/command was interrupted by an agent restart/)).toMatch(/"stoppedOrphan":true/);
    } finally {
      if (!gone(b.left)) process.kill(b.left, 'SIGKILL');
    }
  });

  it('after an agent restart, a left process that ignores SIGTERM is killed after the grace', async () => {
    // An ignored SIGTERM stays ignored across exec.
    const b = await leftBehind({ OPSLINE_JOB_ID: 'cut-4' }, `/bin/sh -c 'trap "" TERM; exec sleep 600'`);
    try {
      new JobLedger(join(root, 'stubborn'), 'runs', runEntrySchema).start({ jobId: 'cut-4', command: 'probe', ref: 'main', startedAt: new Date().toISOString(), pid: b.leader });
      const m = manager('stubborn', [process.execPath, '-e', '']);
      await m.jobs.recover();
      // recover() did not wait for the grace; the process is still there, then killed.
      expect(gone(b.left)).toBe(false);
      expect(await b.signal).toBe('gone');
    } finally {
      if (!gone(b.left)) process.kill(b.left, 'SIGKILL');
    }
  });

  it('after an agent restart, a pid used again by the same program, without the job id, is never signalled', async () => {
    const argv = [process.execPath, '-e', 'setInterval(() => {}, 1000)'];
    const other = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore', env: { OPSLINE_JOB_ID: 'another-job' } });
    try {
      new JobLedger(join(root, 'same-program'), 'runs', runEntrySchema).start({ jobId: 'cut-6', command: 'probe', ref: 'main', startedAt: new Date().toISOString(), pid: other.pid! });
      const logged = captureLog('warn');
      const m = manager('same-program', argv, logged.log);
      await m.jobs.recover();
      expect(await logged.waitFor(/command was interrupted by an agent restart/)).toMatch(/"stoppedOrphan":false/);
      expect([other.exitCode, other.signalCode, gone(other.pid!)]).toEqual([null, null, false]);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('after an agent restart, a group whose processes do not carry the job id is never signalled (a recycled pid)', async () => {
    const b = await leftBehind({ OPSLINE_JOB_ID: 'another-job' });
    try {
      new JobLedger(join(root, 'recycled'), 'runs', runEntrySchema).start({ jobId: 'cut-5', command: 'probe', ref: 'main', startedAt: new Date().toISOString(), pid: b.leader });
      const logged = captureLog('warn');
      const m = manager('recycled', [process.execPath, '-e', ''], logged.log);
      await m.jobs.recover();
      expect(await logged.waitFor(/command was interrupted by an agent restart/)).toMatch(/"stoppedOrphan":false/);
      expect(gone(b.left)).toBe(false);
    } finally {
      process.kill(b.left, 'SIGKILL');
    }
  });
});

describe('job manager, a kind that cannot make its job', () => {
  it('refuses the request before anything is recorded: the jobId stays unknown, the slot free, and a later start runs', async () => {
    const m = manager('unmade', [process.execPath, '-e', '']);
    // The run kind, except that making its job throws (a kind's bug, or a resource it could not get).
    let broken = true;
    const kind = {
      ...m.runs,
      prepare: async (req: Parameters<typeof m.runs.prepare>[0]) => {
        const launch = await m.runs.prepare(req);
        return {
          entry: launch.entry,
          job: (...args: Parameters<typeof launch.job>) => {
            if (broken) throw new Error('cannot make the job');
            return launch.job(...args);
          },
        };
      },
    };
    const jobs = new JobManager({ kinds: [kind], log: silent, send: (_peer, msg) => m.sent.push(msg) });
    const req = { v: 1 as const, id: '1', op: 'run' as const, jobId: 'unmade-1', command: 'probe', ref: 'x' };
    await expect(jobs.start(kind, Buffer.from('a'), req)).rejects.toThrow('cannot make the job');
    expect(jobs.status(Buffer.from('a'), 'unmade-1', false)).toEqual({ jobId: 'unmade-1', state: 'unknown' });
    expect(() => jobs.cancel('unmade-1')).toThrow(expect.objectContaining({ code: 'unknown_job' }));
    expect(jobs.holder(kind, 'probe')).toBeUndefined();
    expect(new JobLedger(join(root, 'unmade'), 'runs', runEntrySchema).get('unmade-1')).toBeUndefined();
    broken = false;
    expect(await jobs.start(kind, Buffer.from('a'), req)).toEqual({ attached: false });
    await until(() => m.sent.some((x) => x.op === 'done' && x.jobId === 'unmade-1'));
    expect(jobs.status(Buffer.from('a'), 'unmade-1', false)).toMatchObject({ state: 'finished', result: { outcome: 'ok' } });
  });
});

describe('job manager, both kinds', () => {
  it('a graceful stop cancels a running burn and a running command alike, sends their done and records them', async () => {
    const images = join(root, 'images');
    await mkdir(images);
    await makeIso(images, 'slow.iso', { bytes: 3 * 1024 * 1024 });
    const stateDir = join(root, 'both');
    const burns = burnKind({ stateDir, drives: [{ name: 'd1', device: `stdio:${join(root, 'd1.img')}`, speed: '300k' }], imagesDir: images });
    const runs = runKind(stateDir, { slow: { argv: [process.execPath, '-e', 'console.log("started"); setInterval(() => {}, 1000)'], refPattern: '^[a-z]+$', timeoutSec: 60 } });
    const sent: AgentMessage[] = [];
    const jobs = new JobManager({ kinds: [runs, burns], log: silent, send: (_peer, m) => sent.push(m) });
    const peer = Buffer.from('p');
    await jobs.start(burns, peer, { v: 1, id: '1', op: 'burn', jobId: 'stop-burn', image: 'slow.iso', drive: 'd1', verify: true, eject: true });
    jobs.start(runs, peer, { v: 1, id: '2', op: 'run', jobId: 'stop-run', command: 'slow', ref: 'x' });
    await until(() => sent.some((m) => m.op === 'progress' && m.bytes > 0) && sent.some((m) => m.op === 'log' && m.line === 'started'));
    expect(await jobs.stop()).toBe(true);
    const done = new Map(sent.flatMap((m) => (m.op === 'done' ? [[m.jobId, m.result.outcome]] : [])));
    expect(Object.fromEntries(done)).toEqual({ 'stop-burn': 'cancelled', 'stop-run': 'cancelled' });
    expect(new JobLedger(stateDir, 'jobs', burnEntrySchema).get('stop-burn')?.result?.outcome).toBe('cancelled');
    expect(new JobLedger(stateDir, 'runs', runEntrySchema).get('stop-run')?.result?.outcome).toBe('cancelled');
    expect([jobs.holder(burns, 'd1'), jobs.holder(runs, 'slow')]).toEqual([undefined, undefined]);
  });
});

describe('job manager, while it stops', () => {
  it('starts nothing new of either kind, even a burn whose image lookup was under way, and still re-attaches', async () => {
    const images = join(root, 'images-stop');
    await mkdir(images);
    await makeIso(images, 'small.iso');
    const stateDir = join(root, 'stopping');
    const burns = burnKind({ stateDir, drives: [{ name: 'd1', device: `stdio:${join(root, 'stopping-d1.img')}` }, { name: 'd2', device: `stdio:${join(root, 'stopping-d2.img')}` }], imagesDir: images });
    const runs = runKind(stateDir, {
      slow: { argv: [process.execPath, '-e', 'console.log("started"); setInterval(() => {}, 1000)'], refPattern: '^[a-z]+$', timeoutSec: 60 },
      quick: { argv: [process.execPath, '-e', ''], refPattern: '^[a-z]+$', timeoutSec: 60 },
    });
    const sent: AgentMessage[] = [];
    const jobs = new JobManager({ kinds: [runs, burns], log: silent, send: (_peer, m) => sent.push(m) });
    const peer = Buffer.from('p');
    jobs.start(runs, peer, { v: 1, id: '1', op: 'run', jobId: 'running-1', command: 'slow', ref: 'x' });
    await until(() => sent.some((m) => m.op === 'log' && m.line === 'started'));
    // Its image is being looked up when the stop begins: it must not start once the lookup is done.
    const looking = jobs.start(burns, peer, { v: 1, id: '2', op: 'burn', jobId: 'late-burn-1', image: 'small.iso', drive: 'd1', verify: false, eject: false });
    const stopped = jobs.stop();
    // Asked in the same turn as stop(), so the running job is still running: nothing has awaited yet.
    const refusal = { code: 'internal', message: 'the agent is stopping: nothing was started' };
    expect(() => jobs.start(runs, peer, { v: 1, id: '3', op: 'run', jobId: 'late-run', command: 'quick', ref: 'x' })).toThrow(expect.objectContaining(refusal));
    expect(() => jobs.start(burns, peer, { v: 1, id: '4', op: 'burn', jobId: 'late-burn-2', image: 'small.iso', drive: 'd2', verify: false, eject: false })).toThrow(expect.objectContaining(refusal));
    // A jobId it knows starts nothing, so it is answered as ever.
    expect(jobs.start(runs, Buffer.from('q'), { v: 1, id: '5', op: 'run', jobId: 'running-1', command: 'slow', ref: 'x' })).toEqual({ attached: true });
    await expect(looking).rejects.toMatchObject(refusal);
    expect(await stopped).toBe(true);
    // One done for each watcher (the starter and the one that re-attached), and none for the refused jobs.
    expect(sent.flatMap((m) => (m.op === 'done' ? [[m.jobId, m.result.outcome]] : []))).toEqual([
      ['running-1', 'cancelled'],
      ['running-1', 'cancelled'],
    ]);
    for (const id of ['late-burn-1', 'late-run', 'late-burn-2']) expect(jobs.status(peer, id, false)).toEqual({ jobId: id, state: 'unknown' });
    expect([jobs.holder(burns, 'd1'), jobs.holder(burns, 'd2'), jobs.holder(runs, 'quick')]).toEqual([undefined, undefined, undefined]);
    expect(new JobLedger(stateDir, 'jobs', burnEntrySchema).get('late-burn-1')).toBeUndefined();
  });
});
