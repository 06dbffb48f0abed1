import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli-child.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

const redis = redisPrefix();
let dir: string;
let config: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsline-posts-'));
  config = join(dir, 'opsline.yaml');
  await writeFile(
    config,
    JSON.stringify({
      log: { level: 'warn' },
      redis: { url: REDIS_URL, prefix: redis.prefix },
      console: { user: 'alice' },
      access: { users: [{ key: 'console:alice', name: 'alice', roles: ['admin'] }] },
      // Due once a year: the only run is the one the test asks for.
      schedules: [{ name: 'hello', cron: '0 0 1 1 *', command: '/whoami', post: { platform: 'console', channel: 'ops' } }],
    }),
  );
});
afterAll(async () => {
  await redis.cleanup();
  await rm(dir, { recursive: true, force: true });
});

/** A console with a real config on a pipe, its input left open: `say` writes a line, `end` closes input. */
function openConsole() {
  const child = spawn(process.execPath, [CLI, '--config', config, 'console'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { out: () => out, say: (line: string) => child.stdin.write(`${line}\n`), end: () => child.stdin.end(), exit };
}

const POST = /^#ops \[hello, run by hand\] You are schedule hello$/m;

describe('console posts with several consoles open', () => {
  it('a schedule run by one console is shown by every open console', async () => {
    const a = openConsole();
    const b = openConsole();
    // Each answers once it has started: schedules, and listening for the others' posts, come first.
    for (const c of [a, b]) {
      c.say('/whoami');
      await until(() => c.out().includes('You are alice'), { timeoutMs: 60_000, what: () => c.out() });
    }
    a.say('/schedule run hello');
    await until(() => POST.test(a.out()), { timeoutMs: 30_000, what: () => a.out() });
    await until(() => POST.test(b.out()), { timeoutMs: 30_000, what: () => `the post in the other console:\n${b.out()}` });
    a.end();
    b.end();
    expect(await a.exit).toBe(0);
    expect(await b.exit).toBe(0);
    for (const c of [a, b]) expect(c.out().match(new RegExp(POST.source, 'gm'))).toHaveLength(1);
  }, 120_000);
});
