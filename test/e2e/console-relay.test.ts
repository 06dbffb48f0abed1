import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { CLI, startCli } from '../helpers/cli-child.js';
import { makeIso } from '../helpers/iso.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { tmuxPane, type TmuxPane } from '../helpers/tmux.js';
import { until } from '../helpers/until.js';

// A deploy command on the agent that prints a few lines, slowly enough to be followed.
const DEPLOY = "for (const l of ['fetching ' + process.argv[1], 'building', 'deployed']) { console.log(l); await new Promise((r) => setTimeout(r, 300)); }";

let f: AgentFixture;
let config: string;
const redis = redisPrefix();
let worker: Awaited<ReturnType<typeof startCli>> | undefined;
let pane: TmuxPane | undefined;

beforeAll(async () => {
  f = await agentFixture(['virtual'], '600k');
  await makeIso(f.imagesDir, 'newcomer-1.0.iso', { bytes: 6 * 1024 * 1024 });
  await f.start({ commands: { hello: { argv: [process.execPath, '--input-type=module', '-e', DEPLOY, '{ref}'], refPattern: '^[a-z]{1,20}$', timeoutSec: 30 } } });
  config = join(f.root, 'opsline.yaml');
  await writeFile(
    config,
    JSON.stringify({
      log: { level: 'info' },
      redis: { url: REDIS_URL, prefix: redis.prefix },
      console: { user: 'alice' },
      access: { users: [{ key: 'console:alice', name: 'alice', roles: ['admin'] }] },
      agents: [{ name: 'a1', endpoint: f.agent?.endpoint, serverKey: f.serverKeys.publicKey }],
      clientKeys: { public: f.clientKeys.publicKey, secret: f.clientKeys.secretKey },
      deploy: { targets: [{ name: 'hello', kind: 'command', agent: 'a1', command: 'hello', defaultRef: 'main' }] },
    }),
  );
  worker = await startCli(['--config', config, 'worker'], 'opsline worker started');
}, 90_000);

afterAll(async () => {
  await pane?.kill();
  worker?.kill('SIGTERM');
  await f.cleanup();
  await redis.cleanup();
});

/** A console on a pipe: `send` writes its input and closes stdin; `exit` resolves with what it printed and its exit code. */
function pipeConsole() {
  const child = spawn(process.execPath, [CLI, '--config', config, 'console'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
  return { child, exit, out: () => out, send: (input: string) => child.stdin.end(input) };
}

/** A piped console that queues one job with no worker to take it, then leaves it there (Ctrl-C); exits 0. */
async function leftWithoutWorker(line: string) {
  const c = pipeConsole();
  c.send(`${line}\n`);
  // Input has ended with the job queued: the console says what it waits for; Ctrl-C leaves it.
  await until(() => c.out().includes('Ctrl-C quits and leaves it to the workers') || c.child.exitCode !== null);
  c.child.kill('SIGINT');
  const r = await c.exit;
  expect(r.code, r.out + r.err).toBe(0);
  return r;
}

const has = (re: RegExp) => (lines: string[]) => lines.some((l) => re.test(l));

describe('a console with a real config, jobs run by `opsline worker` in another process', () => {
  it('shows the live progress, digest and final line of a burn and a deploy; /burn watch follows from a second console', async () => {
    // The second console starts now, so that it is up while the burn still runs.
    const second = pipeConsole();
    pane = await tmuxPane([process.execPath, CLI, '--config', config, 'console'], { width: 100, height: 30 });
    await pane.waitFor('the prompt', has(/^opsline>$/), 60_000);
    await pane.type('/burn newcomer-1.0.iso');
    await pane.keys(['Enter']);
    const live = await pane.waitFor('the live bar relayed from the worker', has(/^ {3}#1 │ writing [█░]{20} \d+% · /));
    const id = live.map((l) => /^burn job (b[a-z0-9]{6}) queued on a1\/virtual/.exec(l)?.[1]).find(Boolean);
    expect(id).toBeDefined();
    expect(live).not.toContainEqual(expect.stringContaining('no worker'));

    // A second console, in a pipe: it follows the same job to its end, then exits at end of input.
    second.send(`/burn watch ${id}\n`);
    const watcher = await second.exit;
    expect(watcher.code, watcher.out + watcher.err).toBe(0);
    // Logs (JSON at the config's info level: stderr is not a terminal here) stay off stdout.
    expect(watcher.out).not.toContain('"level"');
    const w = watcher.out.split('\n');
    expect(w, watcher.out).toContain(`#1 watching burn job ${id}: newcomer-1.0.iso on a1/virtual for alice (for @alice)`);
    expect(w).toContain(`following burn job ${id} in the thread until it ends`);
    expect(w).toContain('   #1 │ verified ✔ the disc matches the image');
    expect(w).toContainEqual(expect.stringMatching(/^ {3}#1 │ ✔ done in \d+:\d\d$/));
    expect(w).toContain('   #1 │ @alice burn of newcomer-1.0.iso on virtual finished ✔ (verified)');
    const digest = w.find((l) => /│ sha256 [0-9a-f]{64}$/.test(l))?.slice(-64);
    expect(digest).toBeDefined();

    const done = await pane.waitFor('the final line', has(/^ {3}#1 │ @alice burn of newcomer-1\.0\.iso on virtual finished ✔ \(verified\)$/));
    expect(done).toContain('   #1 │ writing newcomer-1.0.iso to virtual');
    expect(done).toContain('   #1 │ verified ✔ the disc matches the image');
    expect(done).toContain(`   #1 │ sha256 ${digest}`);
    expect(done).toContainEqual(expect.stringMatching(/^ {3}#1 │ ✔ done in \d+:\d\d$/));

    await pane.type('/deploy hello');
    await pane.keys(['Enter']);
    const deployed = await pane.waitFor('the deploy final line', has(/^ {3}#2 │ @alice deploy of hello main finished ✔ \(exit 0, \d+:\d\d\)$/));
    expect(deployed).toContainEqual(expect.stringMatching(/^ {3}#2 │ ✔ exit 0 · \d+:\d\d$/));
    expect(deployed.some((l) => l.startsWith('   #2 │') && l.includes('deployed'))).toBe(true);

    await pane.type('/stauts');
    await pane.keys(['Enter']);
    await pane.waitFor('the suggestion', has(/did you mean \/status\?/));
    await pane.keys(['C-d']);
    await pane.waitFor('input closed', has(/^opsline> \^D$/));
    expect(await pane.exited(60_000)).toBe(0);
    // log.level info, on a terminal: warn and above only, for people; a refusal is not one of them.
    const all = await pane.lines();
    expect(all.filter((l) => l.includes('"level"') || / INFO /.test(l))).toEqual([]);
    // One key once per log line (a child logger once bound `agent` twice), over lines the worker did write.
    const workerLines = (worker?.output() ?? '').split('\n').filter((l) => l.startsWith('{'));
    expect(workerLines.length).toBeGreaterThan(0);
    for (const line of workerLines)
      for (const key of line.match(/"[A-Za-z]+":/g) ?? []) expect(line.split(key).length, line).toBeLessThanOrEqual(2);
  }, 120_000);

  it('says when no worker takes the job, and what to start', async () => {
    const stopped = worker && worker.exitCode === null ? new Promise((r) => worker?.once('exit', r)) : undefined;
    worker?.kill('SIGTERM');
    await stopped;
    worker = undefined;
    const r = await leftWithoutWorker('/deploy hello');
    expect(r.out).toContain('waiting for 1 job to end; Ctrl-C quits and leaves it to the workers (/burn watch or /deploy watch follows one again):');
    expect(r.out).toContain('quitting; the jobs go on at the workers');
    expect(r.out).toMatch(/^deploy job d[a-z0-9]{6} of hello at main queued; no worker is taking deploys of hello right now, so it waits: start `opsline worker` \(or `opsline start`\) with this config; output will be in the thread$/m);
  }, 60_000);

  it('a burn nobody takes is acknowledged as waiting, not as starting now', async () => {
    const r = await leftWithoutWorker('/burn newcomer-1.0.iso');
    expect(r.out).toMatch(/^burn job b[a-z0-9]{6} queued on a1\/virtual; no worker is taking burns on a1\/virtual right now, so it waits: start `opsline worker` \(or `opsline start`\) with this config; progress will be in the thread$/m);
  }, 60_000);
});
