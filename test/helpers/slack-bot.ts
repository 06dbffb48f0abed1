import { pino, type Logger } from 'pino';
import { SlackAdapter } from '../../src/adapters/slack/adapter.js';
import { commands } from '../../commands/index.js';
import { buildConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import type { AuditSink } from '../../src/core/audit.js';
import type { Services } from '../../src/app/services.js';
import type { CommandDef } from '../../src/core/define-command.js';
import { HttpServer } from '../../src/http/server.js';
import { buildApp, type App, type BuildOptions } from '../../src/app/main.js';
import { RecentKeys, RedisSeenKeys, type SeenKeys } from '../../src/services/seen-keys.js';
import { splitCommandLine } from './command-line.js';
import { SlackDouble } from './slack-double.js';
import { postSigned, slashBody, type PostResult, type SlashFields } from './slack-request.js';
import { slackGroupMembers } from '../../src/adapters/slack/usergroups.js';

export const SECRET = 'test-signing-secret-0123456789';

export interface BotOptions {
  readonly mode?: 'http' | 'socket';
  readonly prefix?: string;
  /** slack.umbrellaCommand (default opsline). */
  readonly umbrella?: string;
  readonly editIntervalMs?: number;
  readonly ackBudgetMs?: number;
  /** Deploy targets (tests of the confirm button). */
  readonly deploy?: ConfigInput['deploy'];
  /** A `web` section (its publicUrl makes job threads link to their page). */
  readonly web?: ConfigInput['web'];
  /** Where trigger ids are remembered (default: this bot's memory). */
  readonly seen?: SeenKeys;
  /** The bot's logger (default: silent pino, or TEST_LOG_LEVEL). */
  readonly log?: Logger;
  /** Where audit records go (default: the silent log). */
  readonly audit?: AuditSink;
  /** Extra commands (a test job), added to the real list. */
  readonly extra?: readonly CommandDef<Services>[];
  /** access.slackGroups and their TTL (members come from the double's `groups`). */
  readonly slackGroups?: NonNullable<ConfigInput['access']>['slackGroups'];
  readonly slackGroupsTtl?: string;
  /** Fills the double before the bot starts (user group members). */
  readonly seed?: (slack: SlackDouble) => void;
  /** A `redis` section (a proxy in front of the real one, say); duplicate checks then go there too, as in `opsline start`. */
  readonly redis?: { readonly url: string; readonly prefix: string };
  /** Burn machinery of the test's choosing (a real agent, a BullMQ queue). */
  readonly burns?: BuildOptions['burns'];
  /** More allowlist entries besides UADMIN and UVIEW. */
  readonly users?: NonNullable<ConfigInput['access']>['users'];
}

export interface SlackBot {
  readonly app: App;
  readonly http: HttpServer;
  readonly adapter: SlackAdapter;
  readonly slack: SlackDouble;
  readonly url: string;
  /** Sends `/cmd text` as a signed slash command; `fields` override the defaults. */
  command(line: string, fields?: Partial<SlashFields>, opts?: { retryNum?: number; trigger?: string }): Promise<PostResult>;
  stop(): Promise<void>;
}

/**
 * The real pipeline behind the real Bolt endpoint: buildApp (demo services), the shared HTTP server
 * on port 0, the Slack adapter pointed at a local Slack double. Users: UADMIN (admin), UVIEW
 * (viewer); anyone else is unknown.
 */
export async function startSlackBot(o: BotOptions = {}): Promise<SlackBot> {
  const slack = await new SlackDouble().start();
  o.seed?.(slack);
  const config = buildConfig({
    log: { level: 'silent' },
    slack: {
      mode: o.mode ?? 'http',
      signingSecret: SECRET,
      botToken: 'xoxb-test',
      appToken: o.mode === 'socket' ? 'xapp-test' : undefined,
      commandPrefix: o.prefix ?? '',
      ...(o.umbrella ? { umbrellaCommand: o.umbrella } : {}),
      apiUrl: slack.apiUrl,
      editIntervalMs: o.editIntervalMs ?? 1500,
    },
    access: {
      users: [
        { key: 'slack:T1:UADMIN', name: 'alice', roles: ['admin'] },
        { key: 'slack:T1:UVIEW', name: 'victor', roles: ['viewer'] },
        ...(o.users ?? []),
      ],
      slackGroups: o.slackGroups,
      ...(o.slackGroupsTtl ? { slackGroupsTtl: o.slackGroupsTtl } : {}),
    },
    status: { table: 'demo.tasks', statusColumn: 'task_status', timeColumn: 'created_at', statuses: ['Success', 'Pending', 'Failed'] },
    ...(o.deploy ? { deploy: o.deploy } : {}),
    ...(o.redis ? { redis: o.redis } : {}),
    ...(o.web ? { web: o.web } : {}),
  });
  const log = o.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const app = await buildApp(config, { log, demo: true, slackGroupMembers, commands: [...commands, ...(o.extra ?? [])], ...(o.audit ? { audit: o.audit } : {}), ...(o.burns ? { burns: o.burns } : {}) });
  const http = new HttpServer(log);
  const commandNames = app.registry.all().map((c) => c.name);
  const seen = o.seen ?? (o.redis ? new RedisSeenKeys(o.redis.url, o.redis.prefix, new RecentKeys(), log) : undefined);
  const adapter = new SlackAdapter({ config: config.slack!, http, log, commandNames, ackBudgetMs: o.ackBudgetMs, autoReconnect: false, seen, budget: app.budget });
  app.transports.add(adapter.transport);
  await adapter.start(app.dispatcher.dispatch.bind(app.dispatcher));
  await app.startWorkers();
  const port = await http.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}/slack/events`;
  let n = 0;
  return {
    app,
    http,
    adapter,
    slack,
    url,
    command(line, fields = {}, opts = {}) {
      const { command, text } = splitCommandLine(line);
      const body = slashBody({
        command: `/${command}`,
        text,
        response_url: slack.responseUrl(`r${++n}`),
        trigger_id: opts.trigger,
        ...fields,
      });
      // The ack's body is a message Slack shows: the double checks it like every other.
      return postSigned(url, body, { secret: SECRET, retryNum: opts.retryNum }).then((r) => (r.status === 200 && r.json && slack.check('ack', r.json), r));
    },
    async stop() {
      await adapter.stop();
      await http.close();
      await app.stop();
      await slack.stop();
    },
  };
}
