import { pino, type Logger } from 'pino';
import { commands } from '../../commands/index.js';
import type { CommandDef } from '../../src/core/define-command.js';
import { createDiscordAdapter, type DiscordOptions } from '../../src/adapters/discord/factory.js';
import type { Adapter } from '../../src/adapters/types.js';
import { buildConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { MemoryAuditSink } from '../../src/core/audit.js';
import { HttpServer } from '../../src/http/server.js';
import { buildApp, type App, type BuildOptions } from '../../src/app/main.js';
import { DiscordDouble } from './discord-double.js';
import { IDS } from './discord-payloads.js';
import { postInteraction, signHeaders, signingKeys, type PostResult, type SigningKeys } from './discord-request.js';
import { discordTestCommands, type DiscordTestJob } from './discord-test-job.js';

export const USERS = { admin: '80351110224678912', viewer: '80351110224678913', stranger: '80351110224678914' } as const;

export interface DiscordBotOptions extends DiscordOptions {
  readonly mode?: 'gateway' | 'http';
  readonly editIntervalMs?: number;
  readonly slowMs?: number;
  /** Extra commands of the test's own, added to the real list. */
  readonly extra?: readonly CommandDef<unknown>[];
  readonly guilds?: string[];
  readonly channels?: string[];
  /** The bot's logger (default: silent pino, or TEST_LOG_LEVEL). */
  readonly log?: Logger;
  /** Replaces the default deploy targets (two webhooks that are never called). */
  readonly deploy?: ConfigInput['deploy'];
  /** A `web` section (its publicUrl makes job threads link to their page). */
  readonly web?: ConfigInput['web'];
  /** access.discordRoles; their role ids are added to the double's guild too. */
  readonly discordRoles?: NonNullable<ConfigInput['access']>['discordRoles'];
  /** A `redis` section (a proxy in front of the real one, say); HTTP replay checks then go there, as in `opsline start`. */
  readonly redis?: { readonly url: string; readonly prefix: string };
  /** Burn machinery of the test's choosing (a real agent, a BullMQ queue). */
  readonly burns?: BuildOptions['burns'];
  /** Declared commands (config `commands:`). */
  readonly commands?: ConfigInput['commands'];
}

export interface DiscordBot {
  readonly double: DiscordDouble;
  readonly app: App;
  readonly http: HttpServer;
  readonly adapter: Adapter;
  readonly audit: MemoryAuditSink;
  readonly job: DiscordTestJob;
  readonly keys: SigningKeys;
  /** `http://127.0.0.1:<port>/discord/interactions` */
  readonly url: string;
  /** Signs and POSTs an interaction payload (http mode). */
  post(payload: unknown): Promise<PostResult>;
  stop(): Promise<void>;
}

/**
 * The real pipeline behind the real Discord adapter: buildApp with demo services, the shared HTTP
 * server on port 0, discord.js pointed at a local Discord double. Users: admin, viewer, and a
 * stranger who is not on the allowlist.
 */
export async function startDiscordBot(o: DiscordBotOptions = {}): Promise<DiscordBot> {
  const double = await new DiscordDouble().start();
  for (const r of o.discordRoles ?? []) double.guilds.find((g) => g.id === r.guild)?.roles.push(r.role);
  const keys = signingKeys();
  const config = buildConfig({
    log: { level: 'silent' },
    discord: {
      mode: o.mode ?? 'gateway',
      token: double.botToken,
      applicationId: IDS.application,
      publicKey: keys.publicKeyHex,
      apiUrl: double.apiUrl,
      editIntervalMs: o.editIntervalMs ?? 50,
      guilds: o.guilds,
      channels: o.channels,
    },
    access: {
      users: [
        { key: `discord:${USERS.admin}`, name: 'alice', roles: ['admin'] },
        { key: `discord:${USERS.viewer}`, name: 'victor', roles: ['viewer'] },
      ],
      discordRoles: o.discordRoles,
    },
    status: { table: 'demo.tasks', statusColumn: 'task_status', timeColumn: 'created_at', statuses: ['Success', 'Pending', 'Failed'] },
    ...(o.redis ? { redis: o.redis } : {}),
    ...(o.web ? { web: o.web } : {}),
    ...(o.commands ? { commands: o.commands } : {}),
    deploy: o.deploy ?? {
      targets: [
        { name: 'site', kind: 'webhook', url: 'https://ci.example.com/hooks/deploy' },
        { name: 'staging', kind: 'webhook', url: 'https://ci.example.com/hooks/deploy' },
      ],
    },
  });
  const log = o.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const audit = new MemoryAuditSink();
  // The test commands reach the app (its transports) lazily: it is built after the command list.
  const job = discordTestCommands({ slowMs: o.slowMs });
  const app: App = await buildApp(config, { log, demo: true, audit, commands: [...commands, ...job.commands, ...(o.extra ?? [])], ...(o.burns ? { burns: o.burns } : {}) });
  const http = new HttpServer(log);
  const adapter = await createDiscordAdapter({ app, http, log }, { deferAfterMs: o.deferAfterMs, completers: o.completers, seen: o.seen });
  if (!adapter) throw new Error('no discord adapter was built');
  await adapter.start((inv, threads) => app.dispatcher.dispatch(inv, threads));
  await app.startWorkers();
  const port = await http.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}/discord/interactions`;
  return {
    double,
    app,
    http,
    adapter,
    audit,
    job,
    keys,
    url,
    async post(payload) {
      const body = JSON.stringify(payload);
      const r = await postInteraction(url, body, signHeaders(keys, body));
      const token = (payload as { token?: string }).token;
      if (token && r.status === 200 && r.json) double.acknowledge(token, r.json);
      return r;
    },
    async stop() {
      await adapter.stop();
      await http.close();
      await app.stop();
      await double.stop();
    },
  };
}
