import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LEFTOVERS_STOPPED, RunJob } from '../../src/agent/runner/run-job.js';
import { gone } from '../helpers/process-gone.js';
import { until } from '../helpers/until.js';

// The test's own configured argv may use a shell; the agent never does. The backgrounded sleep keeps the
// command's stdout open after the shell (the command itself) exits 0; it prints its pid first.
const LEAVES_SLEEP = ['/bin/sh', '-c', 'sleep 600 & echo $!'];

/** A job of LEAVES_SLEEP whose lines and leader pid the test can wait for. */
function leavesSleep(jobId: string, more: { timeoutSec?: number; drainMs?: number; argv?: string[] } = {}) {
  const lines: string[] = [];
  let leader = 0;
  const job = new RunJob({ jobId, command: 'bg', ref: 'x', argv: more.argv ?? LEAVES_SLEEP, timeoutSec: more.timeoutSec ?? 60, ...(more.drainMs ? { drainMs: more.drainMs } : {}), onLine: (l) => lines.push(l), onPid: (p) => (leader = p) });
  job.start();
  const sleepPid = async (): Promise<number> => Number(await until(() => lines.find((l) => /^\d+$/.test(l)), { what: 'the background pid' }));
  return { job, lines, sleepPid, leader: () => leader };
}

describe('a command that leaves a process holding its output', () => {
  it('ends with the command\'s exit code once its output has had its grace, and what it left is stopped', async () => {
    const j = leavesSleep('left-1');
    const pid = await j.sleepPid();
    expect(await j.job.done).toMatchObject({ outcome: 'ok', exitCode: 0 });
    expect(j.lines).toEqual([String(pid), LEFTOVERS_STOPPED]);
    await until(() => gone(pid), { what: `the background sleep ${pid} to be stopped` });
  });

  it('times out while only the left process runs: the job ends "timeout" and the process is stopped', async () => {
    // A long grace, so the timeout (1 s) is what ends the job.
    const j = leavesSleep('left-2', { timeoutSec: 1, drainMs: 600_000 });
    const pid = await j.sleepPid();
    await until(() => j.leader() > 0 && gone(j.leader()), { what: 'the shell to exit' });
    expect(await j.job.done).toMatchObject({ outcome: 'timeout', ok: false, exitCode: 0 });
    await until(() => gone(pid), { what: `the background sleep ${pid} to be stopped` });
  });

  it('is cancelled while only the left process runs: the job ends "cancelled" and the process is stopped', async () => {
    const j = leavesSleep('left-3', { drainMs: 600_000 });
    const pid = await j.sleepPid();
    await until(() => j.leader() > 0 && gone(j.leader()), { what: 'the shell to exit' });
    j.job.cancel();
    expect(await j.job.done).toMatchObject({ outcome: 'cancelled', ok: false, exitCode: 0 });
    await until(() => gone(pid), { what: `the background sleep ${pid} to be stopped` });
  });

  it('a last line without a newline, printed before the command exits, is kept though the left process holds the output', async () => {
    const j = leavesSleep('left-4', { argv: ['/bin/sh', '-c', 'sleep 600 & echo $!; printf done'] });
    const pid = await j.sleepPid();
    expect(await j.job.done).toMatchObject({ outcome: 'ok', exitCode: 0 });
    expect(j.lines).toEqual([String(pid), 'done', LEFTOVERS_STOPPED]);
    expect(j.job.tail).toEqual(j.lines);
    await until(() => gone(pid), { what: `the background sleep ${pid} to be stopped` });
  });

  it('a left process that ignores SIGTERM is killed before a process whose job ended exits by itself (an agent stopping gracefully)', async () => {
    // A Node process of its own (the built dist/) runs one job and then has nothing left to do but the kill's timer.
    const runJob = JSON.stringify(pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'src', 'agent', 'runner', 'run-job.js')).href);
    const argv = ['/bin/sh', '-c', 'trap "" TERM; (trap "" TERM; exec sleep 600) & echo $!; kill -9 $$'];
    const script = `const { RunJob } = await import(${runJob});
      const job = new RunJob({ jobId: 'left-5', command: 'bg', ref: 'x', argv: ${JSON.stringify(argv)}, timeoutSec: 60, onLine: (l) => console.log(l) });
      job.start();
      console.log(JSON.stringify(await job.done));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    const [pidLine, stopped, result] = out.trim().split('\n');
    const pid = Number(pidLine);
    try {
      expect([code, stopped, JSON.parse(result ?? '{}').outcome]).toEqual([0, LEFTOVERS_STOPPED, 'failed']);
      expect(gone(pid)).toBe(true);
    } finally {
      if (!gone(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('a process started with setsid has left the group and keeps running after the job (docs/deploy.md)', async () => {
    const j = leavesSleep('left-6', { argv: ['/bin/sh', '-c', 'setsid sleep 600 >/dev/null 2>&1 & echo $!'] });
    const pid = await j.sleepPid();
    try {
      expect(await j.job.done).toMatchObject({ outcome: 'ok', exitCode: 0 });
      expect(j.lines).toEqual([String(pid)]);
      expect(gone(pid)).toBe(false);
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });

  it('says it stopped what the command left though that process dies as the output closes (a writer gets SIGPIPE)', async () => {
    const j = leavesSleep('left-7', { drainMs: 300, argv: ['/bin/sh', '-c', 'while :; do echo x; done &'] });
    expect(await j.job.done).toMatchObject({ outcome: 'ok', exitCode: 0 });
    expect(j.lines.at(-1)).toBe(LEFTOVERS_STOPPED);
    expect(new Set(j.lines.slice(0, -1))).toEqual(new Set(['x']));
  });
});
