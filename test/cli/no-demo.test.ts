import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curveKeyPair } from '../helpers/curve-keys.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/agent-fixture.js';
import { CLI } from '../helpers/cli-child.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

// Module hooks (node:module register) that append every ES module URL the process resolves to
// $LOADED_OUT. They run in the loader's own thread, so each URL is written as it is resolved.
const HOOKS = `import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data.out; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(out, r.url + '\\n');
  return r;
}
`;
const PRELOAD = `import { register } from 'node:module';
register(process.env.LOADED_HOOKS, import.meta.url, { data: { out: process.env.LOADED_OUT } });
`;

/** A module of opsline's demo: src/demo/ (dist/src/demo/ when built). */
const DEMO = /\/src\/demo\//;
/** discord.js, the gateway client: Discord's HTTP mode needs only @discordjs/rest. */
const DISCORD_JS = /\/node_modules\/discord\.js\//;

const redis = redisPrefix();
let dir = '';
let preload = '';
let hooks = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsline-no-demo-'));
  preload = join(dir, 'preload.mjs');
  hooks = join(dir, 'hooks.mjs');
  await writeFile(preload, PRELOAD);
  await writeFile(hooks, HOOKS);
});
afterAll(async () => {
  await redis.cleanup();
  await rm(dir, { recursive: true, force: true });
});

const env = (name: string) => ({ ...process.env, LOADED_OUT: join(dir, `${name}.txt`), LOADED_HOOKS: `file://${hooks}` });
const loaded = async (name: string) => (await readFile(join(dir, `${name}.txt`), 'utf8')).split('\n').filter(Boolean);

describe('opsline start loads no demo code, and no gateway client in Discord HTTP mode', { timeout: 120_000 }, () => {
  it('runs with Slack, Discord over HTTP, Redis, an agent and its workers, and never resolves a module under src/demo or discord.js', async () => {
    const [port, agentPort] = [await freePort(), await freePort()];
    const server = curveKeyPair();
    const client = curveKeyPair();
    const config = join(dir, 'bot.yaml');
    await writeFile(
      config,
      JSON.stringify({
        log: { level: 'warn' },
        http: { port, host: '127.0.0.1' },
        slack: { signingSecret: 'no-demo-signing-secret', botToken: 'xoxb-test', apiUrl: 'http://127.0.0.1:9/api/' },
        discord: { mode: 'http', token: 'no-demo', applicationId: '1100000000000000001', publicKey: 'a'.repeat(64), apiUrl: 'http://127.0.0.1:9/api' },
        redis: { url: REDIS_URL, prefix: redis.prefix },
        agents: [{ name: 'a1', endpoint: `tcp://127.0.0.1:${agentPort}`, serverKey: server.publicKey }],
        clientKeys: { public: client.publicKey, secret: client.secretKey },
        access: { users: [{ key: 'slack:T1:UADMIN', name: 'alice', roles: ['admin'] }] },
      }),
    );
    const child = spawn(process.execPath, ['--import', preload, CLI, '--config', config, 'start'], { stdio: ['ignore', 'pipe', 'pipe'], env: env('start') });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = once(child, 'exit');
    try {
      // Started: the app, its workers and the HTTP server are built, so every static import has loaded.
      const ready = await until(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false), { everyMs: 100 });
      expect(ready, output).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const urls = await loaded('start');
    // The hooks saw the composition root and the burn machinery load (what used to pull the demo in) ...
    expect(urls.some((u) => u.endsWith('/src/app/main.js'))).toBe(true);
    expect(urls.some((u) => u.endsWith('/src/jobs/setup.js'))).toBe(true);
    // ... and nothing of the demo; the Discord adapter loaded, but not discord.js (start-up time, docs/testing.md).
    expect(urls.filter((u) => DEMO.test(u))).toEqual([]);
    expect(urls.some((u) => u.endsWith('/src/adapters/discord/http.js'))).toBe(true);
    expect(urls.filter((u) => DISCORD_JS.test(u))).toEqual([]);
  });

  it('while console --demo, seen by the same hooks, does load the demo agent', async () => {
    await new Promise<void>((done) => {
      const c = execFile(process.execPath, ['--import', preload, CLI, 'console', '--demo'], { env: { ...env('demo'), HOME: dir }, cwd: dir }, () => done());
      c.stdin?.end('/help\n');
    });
    expect((await loaded('demo')).filter((u) => DEMO.test(u)).length).toBeGreaterThan(0);
  });
});
