import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { createSlackTransport } from '../../src/adapters/slack/client.js';
import { buildConfig } from '../../src/config/load.js';
import type { Reply } from '../../src/core/reply.js';
import { buildApp, type App } from '../../src/app/main.js';
import { agentFixture, freePort, type AgentFixture } from './agent-fixture.js';
import { startCli } from './cli-child.js';
import { makeIso } from './iso.js';
import { REDIS_URL, redisPrefix } from './redis.js';
import { SlackDouble } from './slack-double.js';
import { until } from './until.js';

export interface BurnWorldOptions {
  readonly drives?: string[];
  /** Pseudo-drive speed (xorriso's), so a burn lasts long enough to break something in the middle. */
  readonly speed?: string;
  readonly imageBytes?: number;
  readonly heartbeatMs?: number;
  /** agents[].requestTimeoutMs (the bot's; default 10 s). */
  readonly requestTimeoutMs?: number;
  readonly redisUrl?: string;
  /** The whole `redis` section but its prefix (a Sentinel set: sentinels and name), instead of redisUrl. */
  readonly redis?: Record<string, unknown>;
  /** jobs.lockDurationMs (2 s here, so a killed worker's job moves on quickly; 30 s by default). */
  readonly lockDurationMs?: number;
  /** A deploy target `site` that runs this argv on the agent child (the operator may deploy it). */
  readonly deployArgv?: string[];
}

export type Child = Awaited<ReturnType<typeof startCli>>;

export interface BurnWorld {
  readonly slack: SlackDouble;
  readonly fixture: AgentFixture;
  readonly xorrisoBurns: () => Promise<number>;
  readonly configPath: string;
  /** The bot side (dispatcher, Slack transport); its workers start only when a test calls app.startWorkers(). */
  readonly app: App;
  /** `opsline agent` as a child process on a fixed port, so a replacement comes back on the same endpoint. */
  startAgent(): Promise<Child>;
  /** `opsline worker` as a child process. */
  startWorker(): Promise<Child>;
  /** `/<command> <text>` as the operator in `channel`, through the dispatcher and the Slack transport. */
  say(channel: string, command: string, text: string): Promise<Reply>;
  /** `/burn <image> <drive>` as the operator; resolves with the root message's ts once the job is queued. */
  burn(image: string, drive: string): Promise<string>;
  /** Texts of chat.update calls, or of the posts in the thread rooted at `thread`, in order. */
  texts(method: 'chat.update' | 'chat.postMessage', thread?: string): string[];
  /** Resolves once the live status shows bytes written (so xorriso itself is running, not just spawned). */
  writing(ms?: number): Promise<unknown>;
  /** The final mention in the thread rooted at `rootTs`. */
  final(rootTs: string, ms?: number): Promise<string>;
  cleanup(): Promise<void>;
}

/**
 * Everything a burn needs, for tests that kill a piece of it: a Slack double, an agent with
 * pseudo-drives and a counting xorriso, a Redis prefix, and one config file that the bot, `opsline
 * worker` and `opsline agent` children all read (JSON is YAML).
 */
export async function burnWorld(o: BurnWorldOptions = {}): Promise<BurnWorld> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const slack = await new SlackDouble().start();
  cleanups.push(() => slack.stop());
  const f = await agentFixture(o.drives ?? ['d1'], o.speed ?? '400k');
  cleanups.push(() => f.cleanup());
  await makeIso(f.imagesDir, 'release.iso', { bytes: o.imageBytes ?? 3 * 1024 * 1024 });
  const xorriso = await xorrisoOnPath(f.root);
  const redis = redisPrefix();
  if (!o.redisUrl && !o.redis) cleanups.push(() => redis.cleanup());
  const hb = o.heartbeatMs ?? 200;
  const endpoint = `tcp://127.0.0.1:${await freePort()}`;
  const a = f.options();
  const raw = {
    log: { level: 'info' as const },
    slack: { signingSecret: 'secret-0123456789', botToken: 'xoxb-test', apiUrl: slack.apiUrl, editIntervalMs: 300 },
    agents: [{ name: 'a1', endpoint, serverKey: f.serverKeys.publicKey, heartbeatMs: hb, ...(o.requestTimeoutMs ? { requestTimeoutMs: o.requestTimeoutMs } : {}) }],
    clientKeys: { public: f.clientKeys.publicKey, secret: f.clientKeys.secretKey },
    redis: { ...(o.redis ?? { url: o.redisUrl ?? REDIS_URL }), prefix: redis.prefix },
    jobs: { lockDurationMs: o.lockDurationMs ?? 2000, stalledIntervalMs: 500, heartbeatMs: 2000 },
    access: { users: [{ key: 'slack:T1:UOP', roles: ['operator' as const, 'deployer' as const] }] },
    agent: {
      name: 'child',
      bind: endpoint,
      keys: a.keys,
      allowedClients: a.allowedClients,
      imagesDir: f.imagesDir,
      stateDir: f.stateDir,
      drives: f.drives,
      heartbeatMs: hb,
      ...(o.deployArgv ? { commands: { slow: { argv: o.deployArgv } } } : {}),
    },
    ...(o.deployArgv ? { deploy: { targets: [{ name: 'site', kind: 'command' as const, agent: 'a1', command: 'slow' }] } } : {}),
  };
  const configPath = join(f.root, 'opsline.yaml');
  await writeFile(configPath, JSON.stringify(raw));
  const log = pino({ level: 'silent' });
  const config = buildConfig({ ...raw, log: { level: 'silent' } });
  const app = await buildApp(config, { log });
  cleanups.push(() => app.stop());
  // The bot side draws on the same budget as the worker child, as `opsline start` does in production.
  const transport = createSlackTransport(config.slack!, log, [], app.budget);
  app.transports.add(transport);
  const op = { key: 'slack:T1:UOP', name: 'olga' };
  const child = async (args: string[], ready: string) => {
    const c = await startCli(['--config', configPath, ...args], ready, { PATH: `${xorriso.dir}:${process.env.PATH ?? ''}` });
    cleanups.push(async () => void c.kill('SIGKILL'));
    return c;
  };
  let invocations = 0;
  const w: BurnWorld = {
    slack,
    fixture: f,
    xorrisoBurns: () => xorriso.burns(),
    configPath,
    app,
    startAgent: () => child(['agent'], 'agent listening'),
    startWorker: () => child(['worker'], 'opsline worker started'),
    say: (channel, command, text) =>
      app.dispatcher.dispatch({ id: `inv-${++invocations}`, platform: 'slack', principal: op, room: channel, command, text, receivedAt: new Date() }, transport.starter(op, channel)),
    async burn(image, drive) {
      const roots = slack.callsOf('chat.postMessage').filter((c) => !c.body.thread_ts).length;
      const send = () => w.say('C1', 'burn', `${image} ${drive}`);
      // The bot's device client reconnects by itself once a just-started agent listens: until then "unavailable".
      const answered = async () => {
        const r = await send();
        return r.code === 'unavailable' ? undefined : r;
      };
      const reply = await until(answered, { everyMs: 200, what: 'the bot to reach the agent' });
      if (!/^burn job b[a-z0-9]{6} queued/.test(reply.text)) throw new Error(`burn not queued: ${reply.text}`);
      const root = slack.callsOf('chat.postMessage').filter((c) => !c.body.thread_ts)[roots]!;
      return root.response?.ts as string;
    },
    texts: (method, thread) => slack.callsOf(method).filter((c) => thread === undefined || c.body.thread_ts === thread).map((c) => String(c.body.text)),
    // The status shows bytes written and the milestone has been posted (a SIGKILL loses what was not sent yet).
    writing: (ms = 60_000) => slack.waitFor(() => w.texts('chat.update').some((t) => /^writing .* [1-9]\d*%/.test(t)) && w.texts('chat.postMessage').some((t) => t.startsWith('writing ')), ms),
    final: (rootTs, ms = 60_000) => slack.waitFor(() => w.texts('chat.postMessage', rootTs).find((t) => t.startsWith('<@UOP> ')), ms),
    async cleanup() {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    },
  };
  return w;
}

/**
 * `agent.xorriso` is not a config key, so the agent child finds a counting `xorriso` first on its
 * PATH: it logs its argv, then runs the real one (SIGINT passed on), as test/helpers/xorriso-counter.ts does in-process.
 */
async function xorrisoOnPath(root: string): Promise<{ dir: string; burns(): Promise<number> }> {
  const real = execFileSync('which', ['xorriso'], { encoding: 'utf8' }).trim();
  const dir = join(root, 'bin');
  const log = join(root, 'xorriso-calls.log');
  await mkdir(dir);
  await writeFile(log, '');
  await writeFile(
    join(dir, 'xorriso'),
    `#!${process.execPath}
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');
const child = spawn(${JSON.stringify(real)}, process.argv.slice(2), { stdio: 'inherit' });
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
`,
  );
  await chmod(join(dir, 'xorriso'), 0o755);
  return { dir, burns: async () => (await readFile(log, 'utf8')).split('\n').filter((l) => l.includes('cdrecord')).length };
}
