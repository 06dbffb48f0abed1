import { spawn } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobManager } from '../../src/agent/jobs.js';
import { JobLedger, runEntrySchema } from '../../src/agent/ledger.js';
import { runKind } from '../../src/agent/runner/run-kind.js';
import type { AgentMessage } from '../../src/protocol/index.js';
import { silent } from '../helpers/agent-fixture.js';

// The job manager with the run kind alone, as test/agent/burn.test.ts drives it with the burn kind.
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opsline-jobs-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

function manager(stateDir: string, argv: string[]) {
  const runs = runKind(join(root, stateDir), { probe: { argv, refPattern: '^[a-z]+$', timeoutSec: 30 } });
  const sent: AgentMessage[] = [];
  let finished: () => void = () => undefined;
  const done = new Promise<void>((r) => (finished = r));
  const jobs = new JobManager({
    kinds: [runs],
    log: silent,
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
    expect(new JobLedger(join(root, 'early'), 'runs.json', runEntrySchema).get('early-run')?.result?.outcome).toBe('cancelled');
  });

  it('after an agent restart, reports a run that was cut short as failed-interrupted and stops its process group', async () => {
    const argv = [process.execPath, '-e', 'setInterval(() => {}, 1000)'];
    // The command a dead agent left running: its own process group, as the agent spawns it.
    const orphan = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((r) => orphan.once('exit', (_code, signal) => r(signal)));
    try {
      const ledger = new JobLedger(join(root, 'restart'), 'runs.json', runEntrySchema);
      ledger.start({ jobId: 'cut-1', command: 'probe', ref: 'main', startedAt: new Date().toISOString(), pid: orphan.pid! });
      const m = manager('restart', argv);
      await m.jobs.recover();
      expect(await exited).toBe('SIGTERM');
      expect(m.jobs.status(Buffer.from('a'), 'cut-1', false)).toMatchObject({ state: 'finished', result: { kind: 'run', outcome: 'failed_interrupted', ok: false, command: 'probe', ref: 'main' } });
      expect(new JobLedger(join(root, 'restart'), 'runs.json', runEntrySchema).unfinished()).toEqual([]);
      // A jobId it has a result for is re-attached, never run again.
      expect(m.jobs.start(m.runs, Buffer.from('a'), { v: 1, id: '2', op: 'run', jobId: 'cut-1', command: 'probe', ref: 'main' })).toMatchObject({ attached: true, finished: { outcome: 'failed_interrupted' } });
    } finally {
      orphan.kill('SIGKILL');
    }
  });
});
