import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/services/devices/index.js';
import { DEFAULT_REF_PATTERN } from '../../src/agent/runner/argv.js';
import { RunJob } from '../../src/agent/runner/run-job.js';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';

let f: AgentFixture;
let marker: string;

const collect = async (s: AsyncIterable<RunEvent>): Promise<RunEvent[]> => {
  const out: RunEvent[] = [];
  for await (const e of s) out.push(e);
  return out;
};

beforeAll(async () => {
  f = await agentFixture([]);
  marker = join(f.root, 'ran');
  const script = join(f.root, 'deploy.mjs');
  // Prints its argv (so the test sees exactly what ran) and a few lines, then exits 3.
  await writeFile(script, `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(marker)}, process.argv[2] + '\\n');\nconsole.log('ref=' + process.argv[2]);\nfor (let i = 1; i <= 3; i++) console.log('step ' + i);\nconsole.error('warning on stderr');\nprocess.exit(3);\n`);
  await f.start({
    commands: {
      app: { argv: [process.execPath, script, '{ref}'], refPattern: '^[A-Za-z0-9._/-]{1,100}$', timeoutSec: 30 },
      slow: { argv: [process.execPath, '-e', 'console.log("started"); setTimeout(() => {}, 60000)'], refPattern: '^[a-z]+$', timeoutSec: 1 },
      env: { argv: [process.execPath, '-e', 'console.log(Object.keys(process.env).sort().join(","))'], refPattern: '^[a-z]+$', timeoutSec: 30, env: { DEPLOY_HOME: '/srv' } },
      loose: { argv: [process.execPath, script, '{ref}'], refPattern: '[a-z]+', timeoutSec: 30 },
      safe: { argv: [process.execPath, script, '--', '{ref}'], refPattern: DEFAULT_REF_PATTERN, timeoutSec: 30 },
    },
  });
});
afterAll(() => f.cleanup());

describe('run (deploy commands)', () => {
  it('streams output lines and reports the exit code and duration', async () => {
    const c = f.client();
    const s = await c.run('a1', { jobId: 'run-1', command: 'app', ref: 'v1.2/main' });
    expect(s.attached).toBe(false);
    const events = await collect(s);
    const lines = events.flatMap((e) => (e.type === 'log' ? [e.line] : []));
    expect(lines).toEqual(expect.arrayContaining(['ref=v1.2/main', 'step 1', 'step 2', 'step 3', 'warning on stderr']));
    const done = events.at(-1);
    expect(done).toMatchObject({ type: 'done', result: { kind: 'run', outcome: 'failed', ok: false, exitCode: 3, command: 'app', ref: 'v1.2/main' } });
    expect(done?.type === 'done' && done.result.durationMs).toBeGreaterThan(0);
  });

  it('re-attaches by jobId instead of running again', async () => {
    const c = f.client();
    const again = await c.run('a1', { jobId: 'run-1', command: 'app', ref: 'v1.2/main' });
    expect(again.attached).toBe(true);
    expect((await collect(again)).at(-1)).toMatchObject({ type: 'done', result: { exitCode: 3 } });
    expect(await c.runStatus('a1', 'run-1')).toMatchObject({ state: 'finished', result: { exitCode: 3 } });
    const { readFile } = await import('node:fs/promises');
    expect((await readFile(marker, 'utf8')).trim().split('\n')).toEqual(['v1.2/main']);
  });

  it('refuses refs that do not match the whole pattern, and unknown commands', async () => {
    const c = f.client();
    for (const ref of ['; rm -rf /', '$(id)', '`id`', 'main\nid', 'a'.repeat(101), '']) {
      await expect(c.run('a1', { jobId: `bad-${Math.random().toString(36).slice(2)}`, command: 'app', ref })).rejects.toMatchObject({ code: 'bad_input', agentCode: 'bad_ref' });
    }
    // An unanchored pattern in config is anchored by the agent.
    await expect(c.run('a1', { jobId: 'loose-1', command: 'loose', ref: 'main; id' })).rejects.toMatchObject({ agentCode: 'bad_ref' });
    await expect(c.run('a1', { jobId: 'nope-1', command: 'nope', ref: 'main' })).rejects.toMatchObject({ code: 'not_found', agentCode: 'unknown_command' });
    // Names every plain object has are unknown commands too, not a command with no pattern.
    for (const command of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      await expect(c.run('a1', { jobId: `proto-${command.replace(/_/g, '')}`, command, ref: 'main' })).rejects.toMatchObject({ code: 'not_found', agentCode: 'unknown_command' });
    }
  });

  it('with the default pattern, refuses a ref that is an option or a path, and runs nothing', async () => {
    const c = f.client();
    const { readFile } = await import('node:fs/promises');
    const before = await readFile(marker, 'utf8');
    for (const [i, ref] of ['-rf', '-f', '--force', '../../etc/passwd', '/etc/passwd', 'a/../b'].entries()) {
      await expect(c.run('a1', { jobId: `opt-${i}`, command: 'safe', ref })).rejects.toMatchObject({ code: 'bad_input', agentCode: 'bad_ref' });
    }
    expect(await readFile(marker, 'utf8')).toBe(before);
  });

  it('passes only PATH, the job id, the ref and the command\'s own env, never the agent\'s environment', async () => {
    const c = f.client();
    const events = await collect(await c.run('a1', { jobId: 'env-1', command: 'env', ref: 'x' }));
    expect(events.filter((e) => e.type === 'log')).toEqual([{ type: 'log', line: 'DEPLOY_HOME,OPSLINE_JOB_ID,OPSLINE_REF,PATH' }]);
  });

  it('kills a command that runs past its timeout', async () => {
    const c = f.client();
    const events = await collect(await c.run('a1', { jobId: 'slow-1', command: 'slow', ref: 'x' }));
    expect(events.some((e) => e.type === 'log' && e.line === 'started')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'done', result: { outcome: 'timeout', ok: false, signal: 'SIGTERM' } });
  });

  it('cancels a running command', async () => {
    const c = f.client();
    const s = await c.run('a1', { jobId: 'slow-2', command: 'slow', ref: 'y' });
    await expect(c.run('a1', { jobId: 'slow-3', command: 'slow', ref: 'y' })).rejects.toMatchObject({ code: 'conflict' });
    await c.cancel('a1', 'slow-2');
    expect((await collect(s)).at(-1)).toMatchObject({ type: 'done', result: { outcome: 'cancelled' } });
  });

  it('spawns nothing until started, and a job cancelled before its start never runs', async () => {
    const probe = join(f.root, 'probe-ran');
    const argv = [process.execPath, '-e', `require('node:fs').writeFileSync(${JSON.stringify(probe)}, 'ran')`];
    const job = new RunJob({ jobId: 'early-1', command: 'probe', ref: 'x', argv, timeoutSec: 30, onLine: () => undefined });
    job.cancel();
    job.start();
    expect(await job.done).toMatchObject({ outcome: 'cancelled', exitCode: null });
    await expect(access(probe)).rejects.toMatchObject({ code: 'ENOENT' });
    const again = new RunJob({ jobId: 'early-2', command: 'probe', ref: 'x', argv, timeoutSec: 30, onLine: () => undefined });
    again.start();
    expect(await again.done).toMatchObject({ outcome: 'ok', exitCode: 0 });
    await access(probe);
  });
});
