import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_LINE, Spawner, type SpawnEnd, type Spawned } from '../../src/agent/runner/spawner.js';
import { until } from '../helpers/until.js';

// The spawner driven directly; test/agent/run.test.ts and declared-run.test.ts drive it through the agent.
const spawner = new Spawner();
afterAll(() => spawner.close());

interface Run {
  readonly spawned: Spawned;
  readonly lines: string[];
  pid?: number;
  readonly end: Promise<SpawnEnd>;
}

function run(argv: string[], env: Record<string, string> = {}): Run {
  const [file, ...args] = argv;
  const lines: string[] = [];
  let ended: (e: SpawnEnd) => void = () => undefined;
  const end = new Promise<SpawnEnd>((r) => (ended = r));
  const r: { pid?: number } = {};
  const spawned = spawner.spawn(file!, args, env, { pid: (pid) => (r.pid = pid), line: (l) => lines.push(l), end: ended });
  return Object.assign(r, { spawned, lines, end });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
// Field 4 of /proc/<pid>/stat, after the command name in parentheses.
const parentOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);

describe('spawner', () => {
  it('forks commands itself, not the agent, with only the environment it is given, and relays lines in order before the exit', async () => {
    const r = run([process.execPath, '-e', 'console.log(process.ppid); console.error(Object.keys(process.env).join(",")); console.log("x".repeat(5000)); process.exit(4)'], { ONLY: '1' });
    expect(await r.end).toEqual({ code: 4, signal: null, signalled: false });
    const [ppid, ...rest] = r.lines;
    expect(Number(ppid)).not.toBe(process.pid);
    expect(rest).toEqual(expect.arrayContaining(['ONLY', 'x'.repeat(MAX_LINE + 1)]));
    // The spawner is this process's child, started with none of this process's environment (Node adds its channel's).
    expect(parentOf(Number(ppid))).toBe(process.pid);
    const environ = readFileSync(`/proc/${ppid}/environ`, 'utf8').split('\0').filter(Boolean);
    expect(environ.map((kv) => kv.split('=')[0])).toEqual(['NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE']);
  });

  it('signals the process group only while the command runs, and says so in the end', async () => {
    const r = run([process.execPath, '-e', 'console.log("up"); setInterval(() => {}, 1000)']);
    await until(() => r.lines.includes('up'));
    r.spawned.kill('SIGTERM');
    expect(await r.end).toEqual({ code: null, signal: 'SIGTERM', signalled: true });
    const quick = run([process.execPath, '-e', '']);
    expect(await quick.end).toEqual({ code: 0, signal: null, signalled: false });
    quick.spawned.kill('SIGTERM');
  });

  it('reports a program that cannot be started as an error', async () => {
    expect(await run(['/nonexistent/program']).end).toEqual({ error: expect.stringContaining('ENOENT') });
  });

  it('when the spawner dies, kills what it was running, ends it with an error, and starts again for the next command', async () => {
    const r = run([process.execPath, '-e', 'console.log("up"); setInterval(() => {}, 1000)']);
    await until(() => r.lines.includes('up') && r.pid);
    const pid = r.pid!;
    process.kill(parentOf(pid), 'SIGKILL');
    expect(await r.end).toEqual({ error: expect.stringContaining("the agent's spawner process exited (SIGKILL)") });
    await until(() => !alive(pid), { what: `the orphaned command ${pid} to be killed` });
    const next = run([process.execPath, '-e', 'console.log("again")']);
    expect(await next.end).toEqual({ code: 0, signal: null, signalled: false });
    expect(next.lines).toEqual(['again']);
  });
});
