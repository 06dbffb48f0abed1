import { z } from 'zod';
import { ROLES } from '../words/roles.js';
import { AGENT_COMMAND, AGENT_NAME, COMMAND_PREFIX, DEFAULT_REF_PATTERN, DRIVE_NAME, PRINCIPAL_KEY, PRINCIPAL_KEY_HINT, SNOWFLAKE, TARGET_NAME } from '../words/names.js';
import { isSlackBuiltin } from '../words/slack-builtins.js';
import { declaredRunArgs } from './declared-run.js';
import { alertEntry, checkSchedules, jobFailures, scheduleEntry } from './schedules.js';
import { duration, wordSchema } from './words.js';
import { declaredCommands, sources } from './commands.js';
import { declaredIssues } from './commands-check.js';

const role = z.enum(ROLES);
/** A plain SQL identifier, optionally schema-qualified; anything else is a config error. */
const IDENT = /^[A-Za-z_][A-Za-z0-9_$]{0,63}$/;
const ident = z.string().regex(IDENT, 'a plain identifier (letters, digits, _ and $; not starting with a digit)');
const qualifiedIdent = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_$]{0,63}(\.[A-Za-z_][A-Za-z0-9_$]{0,63})?$/, 'a plain table name, optionally schema.table');
const principalKey = wordSchema(PRINCIPAL_KEY, PRINCIPAL_KEY_HINT);
const url = z.string().url();
const snowflake = wordSchema(SNOWFLAKE, 'a Discord id (digits)');
const z85Key = z.string().length(40, 'a 40-character Z85 CURVE key');
const vaultPath = z.string().regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'a Vault path: letters, digits, _ and -, separated by /');

const http = z.strictObject({ port: z.number().int().min(0).max(65535).default(3000), host: z.string().default('0.0.0.0') });

const perMinute = z.number().positive().max(60_000);
/** Calls paced under Slack's published limits, per workspace (docs/rate-limits.md). */
const slackRateLimits = z.strictObject({
  // chat.update is Tier 3: "50+ per minute" per workspace.
  updatesPerMinute: perMinute.default(45),
  // chat.postMessage: "one message per second per channel", thread replies included.
  postsPerMinutePerChannel: perMinute.default(54),
  burst: z.number().int().min(1).max(20).default(2),
});
/** Calls paced under Discord's limits, per bot token: the global limit and a channel's message bucket. */
const discordRateLimits = z.strictObject({
  requestsPerSecond: z.number().positive().max(1000).default(40),
  messagesPer5sPerChannel: z.number().positive().max(1000).default(4),
});

const slack = z.strictObject({
  mode: z.enum(['http', 'socket']).default('http'),
  signingSecret: z.string().min(1),
  botToken: z.string().min(1),
  appToken: z.string().min(1).optional(),
  commandPrefix: wordSchema(COMMAND_PREFIX, 'lower-case letters, digits and -').default(''),
  // One command that reaches every other (`/opsline status`), whatever names collide (docs/slack.md).
  umbrellaCommand: z
    .string()
    .regex(/^[a-z0-9_-]{1,31}$/, 'lower-case letters, digits, - and _, at most 31 characters')
    .refine((n) => !isSlackBuiltin(n), 'one of Slack\'s built-in commands, which Slack refuses')
    .default('opsline'),
  apiUrl: url.default('https://slack.com/api/'),
  editIntervalMs: z.number().int().min(0).default(1500),
  rateLimits: slackRateLimits.prefault({}),
  // The bot's public base URL (https://ops.example.com): request URLs in `opsline manifest slack`.
  publicUrl: z.string().regex(/^https:\/\/[^\s/]+(\/[^\s]*)?$/, 'an https:// URL').optional(),
});

const discord = z.strictObject({
  mode: z.enum(['gateway', 'http']).default('gateway'),
  token: z.string().min(1),
  applicationId: snowflake,
  publicKey: z.string().regex(/^[0-9a-fA-F]{64}$/, '64 hex characters').optional(),
  guildId: snowflake.optional(),
  apiUrl: url.default('https://discord.com/api'),
  editIntervalMs: z.number().int().min(0).default(2000),
  rateLimits: discordRateLimits.prefault({}),
  guilds: z.array(snowflake).optional(),
  channels: z.array(snowflake).optional(),
});

const mysql = z.strictObject({
  url: z.string().regex(/^mysql:\/\/[^/]+/, 'mysql://user:password@host:port/database').optional(),
  // Fields instead of a URL, for passwords that are awkward to percent-encode.
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).default(3306),
  user: z.string().min(1).optional(),
  password: z.string().optional(),
  database: ident.optional(),
  // `opsline migrate` needs DDL rights the bot's own user must not have.
  migrateUrl: z.string().regex(/^mysql:\/\/[^/]+/, 'mysql://user:password@host:port/database').optional(),
  vault: z.strictObject({ role: z.string().regex(/^[A-Za-z0-9_-]+$/), mount: vaultPath.default('database') }).optional(),
  timeoutMs: z.number().int().min(100).default(2000),
  // How long a statement may wait for a free pooled connection; past it the caller hears "busy" and nothing was sent.
  queueTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  poolSize: z.number().int().min(1).max(100).default(10),
  // A /note add whose answer was lost retries the same (idempotent) insert this long before giving up.
  saveDeadlineMs: z.number().int().min(0).max(600_000).default(10_000),
  // A reply waits until its audit row is stored (docs/hosting.md, "What a SIGKILL loses"); false: rows are batched behind it.
  /** Which replies wait for their audit row to be stored (docs/hosting.md, "What a SIGKILL loses"). */
  auditBeforeReply: z.enum(['changes', 'all', 'none']).default('changes'),
});

const vault = z.strictObject({
  addr: url,
  token: z.string().min(1).optional(),
  approle: z.strictObject({ roleId: z.string().min(1), secretId: z.string().min(1), mount: vaultPath.default('approle') }).optional(),
  // One Vault request may take this long; beyond it Vault counts as unreachable.
  timeoutMs: z.number().int().min(100).default(5000),
  // First wait before trying again to get new MySQL credentials; it doubles up to 30 s.
  retryMs: z.number().int().min(10).default(1000),
  // Where `vault:` secret references (deploy webhook secrets) are read from.
  kv: z.strictObject({ mount: vaultPath.default('secret'), version: z.union([z.literal(1), z.literal(2)]).default(2) }).default({ mount: 'secret', version: 2 }),
});

const status = z.strictObject({
  table: qualifiedIdent,
  statusColumn: ident,
  timeColumn: ident.optional(),
  statuses: z.array(z.string().min(1).max(100)).min(1).optional(),
  doneStatuses: z.array(z.string().min(1).max(100)).min(1).default(['Success']),
  // Background counts (docs/configuration.md#status): refreshed this often; 0 answers on demand instead.
  // Unset: 30 s, or on demand when the config sets cacheMs (written before background counts).
  refreshMs: z.number().int().min(0).max(86_400_000).optional(),
  // One refresh's own time limit, enforced by the server (max_statement_time / MAX_EXECUTION_TIME).
  refreshTimeoutMs: z.number().int().min(1).max(3_600_000).default(60_000),
  // On demand only: how long one answer's counts may be reused.
  cacheMs: z.number().int().min(0).default(0),
  // The name snapshots are stored under (default: the table); how long they are kept for the web chart.
  app: z.string().min(1).max(64).optional(),
  snapshotRetention: duration().prefault('30d'),
}).transform((s) => ({ ...s, refreshMs: s.refreshMs ?? (s.cacheMs > 0 ? 0 : 30_000) }));

const access = z.strictObject({
  users: z.array(z.strictObject({ key: principalKey, name: z.string().optional(), roles: z.array(role).min(1) })).default([]),
  commands: z.record(z.string(), z.array(role)).optional(),
  channels: z.record(z.string(), z.array(z.string())).optional(),
  // Role sources beside users, grants and two-person approval: docs/access.md.
  slackGroups: z.array(z.strictObject({ team: z.string().regex(/^[A-Z0-9]+$/, 'a Slack team id (T…)'), group: z.string().regex(/^S[A-Z0-9]+$/, 'a Slack user group id (S…)'), roles: z.array(role).min(1) })).default([]),
  slackGroupsTtl: duration().prefault('60s'),
  discordRoles: z.array(z.strictObject({ guild: snowflake, role: snowflake, roles: z.array(role).min(1) })).default([]),
  grants: z.strictObject({ maxDuration: duration().prefault('8h') }).prefault({}),
  approvers: z.record(z.string(), z.array(role).min(1)).optional(),
  approvalTtl: duration().prefault('15m'),
});

const agentRef = z.strictObject({
  name: wordSchema(AGENT_NAME, 'a plain identifier (letters, digits, _ and $; not starting with a digit)'),
  endpoint: z.string().regex(/^tcp:\/\/.+:\d+$/, 'tcp://host:port'),
  serverKey: z85Key,
  // Client side of the heartbeat: the agent is reported down after `liveness` silent intervals.
  heartbeatMs: z.number().int().min(50).max(60_000).default(2000),
  liveness: z.number().int().min(2).max(20).default(3),
  requestTimeoutMs: z.number().int().min(100).max(300_000).default(10_000),
});

const drive = z.strictObject({
  name: wordSchema(DRIVE_NAME, 'letters, digits, _ and -, at most 32 characters'),
  device: z.string().regex(/^(\/dev\/[A-Za-z0-9/_-]+|stdio:\/.+)$/, '/dev/… or stdio:/absolute/path'),
  speed: z.string().regex(/^\d+[kKmM]?$/).optional(),
});

const agentCommand = z.strictObject({
  argv: z.array(z.string()).min(1),
  refPattern: z.string().default(DEFAULT_REF_PATTERN),
  timeoutSec: z.number().int().min(1).default(600),
  // The command's environment besides PATH, OPSLINE_JOB_ID and OPSLINE_REF: the agent's own is not passed on.
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), z.string()).optional(),
  // A declared command's typed arguments, each a `{name}` argv element: docs/agent.md, "Declared commands".
  args: declaredRunArgs.optional(),
});

const agent = z.strictObject({
  bind: z.string().regex(/^tcp:\/\/.+:\d+$/, 'tcp://host:port'),
  keys: z.strictObject({ public: z85Key, secret: z85Key }),
  allowedClients: z.array(z85Key).min(1),
  imagesDir: z.string().min(1),
  stateDir: z.string().min(1),
  drives: z.array(drive).default([]),
  commands: z.record(z.string(), agentCommand).default({}),
  /** Shown to clients in `hello`; defaults to the host name. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/).optional(),
  heartbeatMs: z.number().int().min(50).max(60_000).default(2000),
});

const deployTarget = z.strictObject({
  name: wordSchema(TARGET_NAME, 'letters, digits, _ and -, at most 32 characters'),
  kind: z.enum(['webhook', 'command']),
  agent: z.string().optional(),
  command: wordSchema(AGENT_COMMAND, 'a command name from the agent host\'s agent.commands').optional(),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH']).optional(),
  url: url.optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  roles: z.array(role).optional(),
  confirm: z.boolean().default(false),
  // Two-person approval: someone else holding one of these roles must approve each deploy (docs/access.md).
  approvers: z.array(role).min(1).optional(),
  // The bot refuses a ref that does not match before anything is queued; the agent checks its own pattern again.
  refPattern: z.string().default(DEFAULT_REF_PATTERN),
  // Used when /deploy is given no ref; without it a ref is required.
  defaultRef: z.string().optional(),
  // Webhook: HTTP statuses that count as success (default any 2xx), and how long one request may take.
  successStatus: z.array(z.number().int().min(100).max(599)).min(1).optional(),
  timeoutSec: z.number().int().min(1).max(3600).default(30),
  // Webhook: poll this URL after the trigger until its body matches doneMatch (or failMatch).
  poll: z
    .strictObject({
      url,
      intervalSec: z.number().min(0.05).max(600).default(5),
      timeoutSec: z.number().int().min(1).max(86_400).default(900),
      doneMatch: z.string().default('"status"\\s*:\\s*"(success|succeeded|done|ok)"'),
      failMatch: z.string().default('"status"\\s*:\\s*"(failure|failed|error|cancelled)"'),
    })
    .optional(),
});

/** Sign in with OpenID Connect (docs/web.md, "OpenID Connect"): authorization code with PKCE, state and nonce. */
const oidc = z.strictObject({
  // The provider's issuer; https, or http only for a provider on this machine (a test, a local setup).
  issuer: z.string().regex(/^(https:\/\/[^\s/?#]+|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?)(\/[^\s?#]*)?$/, 'an https:// URL (http:// only for 127.0.0.1 or localhost)'),
  // Shown on the button: "Sign in with <name>".
  name: z.string().min(1).max(60).default('OpenID Connect'),
  clientId: z.string().min(1).max(500),
  // ${ENV} (replaced when the config is read) or vault:<path>#<key> (read from Vault at first use).
  clientSecret: z.string().min(1),
  // Default: <web.publicUrl>/web/oidc/callback; register this exact URL with the provider.
  redirectUri: z.string().regex(/^https?:\/\/[^\s?#]+\/web\/oidc\/callback$/, 'an http(s) URL ending in /web/oidc/callback').optional(),
  scopes: z.array(z.string().regex(/^[\x21-\x7e]{1,64}$/, 'a scope name')).min(1).default(['openid']).refine((s) => s.includes('openid'), 'must include openid'),
  // The claim that names the person: the key is oidc:<its value>. `email` counts only with email_verified.
  claim: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a claim name').default('sub'),
  // A claim value that stands for another principal (oidc value → slack:T…:U…): one person, one key.
  principals: z.record(z.string().min(1).max(256), principalKey).optional(),
});

/** The web view (docs/web.md): sign-in links from chat, sessions, pages under /web. */
const web = z.strictObject({
  enabled: z.boolean().default(true),
  // Where people open the pages (https://ops.example.com): the origin of sign-in links; https makes cookies Secure.
  publicUrl: z.string().regex(/^https?:\/\/[^\s/?#]+$/, 'an http(s):// origin without a path, e.g. https://ops.example.com').optional(),
  // Its own port instead of the main HTTP server's (host defaults to http.host).
  port: z.number().int().min(0).max(65535).optional(),
  host: z.string().optional(),
  // Behind a proxy (docs/web.md, "Served where"): X-Forwarded-Proto https makes cookies Secure, and the
  // client's address is read from X-Forwarded-For. true is one proxy; a number is that many in a row.
  trustProxy: z.union([z.boolean(), z.number().int().min(1).max(10)]).default(false),
  sessionIdle: duration().prefault('30m'),
  sessionMax: duration().prefault('12h'),
  oidc: oidc.optional(),
});

export const configSchema = z.strictObject({
  http: http.default({ port: 3000, host: '0.0.0.0' }),
  log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).default({ level: 'info' }),
  console: z.strictObject({ user: z.string().regex(/^[^\s:]+$/, 'a user name without spaces or colons') }).optional(),
  slack: slack.optional(),
  discord: discord.optional(),
  mysql: mysql.optional(),
  vault: vault.optional(),
  redis: z
    .strictObject({
      // One server; with sentinels only its credentials, database and rediss:// are used.
      url: z.string().regex(/^rediss?:\/\//, 'redis://host:port').optional(),
      // Keys and queue names start with this, so several bots (or test runs) can share one Redis.
      prefix: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ and -').default('opsline'),
      // A Sentinel-managed primary/replica set (docs/hosting.md, "Redis with Sentinel").
      sentinels: z.array(z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65535) })).min(1).optional(),
      name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'the master name the sentinels monitor (letters, digits, . _ -)').optional(),
      sentinelPassword: z.string().min(1).optional(),
      // How long a "queued" reply waits for a replica to hold the job (WAIT 1 <ms>); 0 does not wait.
      replicaWaitMs: z.number().int().min(0).max(1500).optional(),
    })
    .optional(),
  jobs: z
    .strictObject({
      // A worker that dies holds its job's lock this long; then another worker re-attaches to the burn.
      lockDurationMs: z.number().int().min(1000).default(30_000),
      stalledIntervalMs: z.number().int().min(500).default(15_000),
      // A running job's worker reports this often; two heartbeats of silence and the thread says the worker is lost.
      heartbeatMs: z.number().int().min(100).default(5_000),
      // Declared run commands' jobs (docs/commands.md) that run at once across every worker process; one per command still.
      runConcurrency: z.number().int().min(1).max(32).default(4),
      // How long an ended job's history and output are kept for the web view (docs/web.md).
      retention: duration(60_000).prefault('30d'),
    })
    .prefault({}),
  status: status.optional(),
  access: access.prefault({}),
  agents: z.array(agentRef).optional(),
  clientKeys: z.strictObject({ public: z85Key, secret: z85Key }).optional(),
  agent: agent.optional(),
  deploy: z.strictObject({ targets: z.array(deployTarget).default([]) }).optional(),
  // Read-only commands posted on a schedule, status alerts and job failures: docs/schedules.md.
  schedules: z.array(scheduleEntry).optional(),
  alerts: z.array(alertEntry).optional(),
  jobFailures: jobFailures.optional(),
  web: web.optional(),
  // Commands declared in config and the read-only data sources of their `sql` kind: docs/commands.md.
  commands: declaredCommands.optional(),
  sources: sources.optional(),
  // Modules whose default export is a command made with defineCommand from opsline, loaded at start: docs/plugins.md.
  plugins: z.array(z.string().min(1).max(500)).max(50).optional(),
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** Rules that span keys; each adds an issue at the key a user must change. */
export const checkedConfigSchema = configSchema.superRefine((c, ctx) => {
  checkSchedules(c, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
  // Built-in names are checked where the registry is known (commands/declared/build.ts); the rest here.
  for (const i of declaredIssues(c.commands ?? [], [], Object.keys(c.sources ?? {}))) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
  if (c.slack?.mode === 'socket' && !c.slack.appToken)
    ctx.addIssue({ code: 'custom', path: ['slack', 'appToken'], message: 'required when slack.mode is socket' });
  if (c.discord?.mode === 'http' && !c.discord.publicKey)
    ctx.addIssue({ code: 'custom', path: ['discord', 'publicKey'], message: 'required when discord.mode is http' });
  // Even with mysql.vault the server's address comes from url (without user) or host.
  if (c.mysql && !c.mysql.url && !c.mysql.host)
    ctx.addIssue({ code: 'custom', path: ['mysql'], message: 'needs url, or host (with user and database, or database and vault)' });
  if (c.mysql?.url && c.mysql.host) ctx.addIssue({ code: 'custom', path: ['mysql', 'host'], message: 'give either url or host, not both' });
  if (c.mysql?.host && ((!c.mysql.user && !c.mysql.vault) || !c.mysql.database))
    ctx.addIssue({ code: 'custom', path: ['mysql'], message: 'host needs user and database' });
  if (c.mysql?.vault && (c.mysql.user || c.mysql.password !== undefined || (c.mysql.url && /^mysql:\/\/[^/]*@/.test(c.mysql.url))))
    ctx.addIssue({ code: 'custom', path: ['mysql', 'vault'], message: 'Vault issues the user and password: leave them out of mysql.url, user and password' });
  if (c.mysql?.vault && !c.vault) ctx.addIssue({ code: 'custom', path: ['vault'], message: 'required by mysql.vault' });
  for (const [name, s] of Object.entries(c.sources ?? {}))
    if (s.vault && !c.vault) ctx.addIssue({ code: 'custom', path: ['vault'], message: `required by sources.${name}.vault` });
  if (c.vault && !c.vault.token && !c.vault.approle)
    ctx.addIssue({ code: 'custom', path: ['vault'], message: 'needs token or approle' });
  if (c.redis && !c.redis.url && !c.redis.sentinels) ctx.addIssue({ code: 'custom', path: ['redis'], message: 'needs url, or sentinels and name' });
  if (c.redis?.sentinels && !c.redis.name) ctx.addIssue({ code: 'custom', path: ['redis', 'name'], message: 'required with redis.sentinels: the master name they monitor' });
  if (c.redis && !c.redis.sentinels && (c.redis.name || c.redis.sentinelPassword))
    ctx.addIssue({ code: 'custom', path: ['redis', 'sentinels'], message: 'required with redis.name and redis.sentinelPassword' });
  if (c.agents?.length && !c.redis)
    ctx.addIssue({ code: 'custom', path: ['redis'], message: 'required when agents are listed (burn jobs run in BullMQ)' });
  // Background counts are the cache: their age is bounded by refreshMs (docs/configuration.md#status).
  if (c.status && c.status.refreshMs > 0 && c.status.cacheMs > 0)
    ctx.addIssue({ code: 'custom', path: ['status', 'cacheMs'], message: 'applies only on demand (status.refreshMs: 0); background counts are at most refreshMs old' });
  if (c.agents?.length && !c.clientKeys)
    ctx.addIssue({ code: 'custom', path: ['clientKeys'], message: 'required when agents are listed' });
  c.deploy?.targets.forEach((t, i) => {
    if (t.kind === 'webhook' && !t.url) ctx.addIssue({ code: 'custom', path: ['deploy', 'targets', i, 'url'], message: 'required for a webhook target' });
    if (t.kind === 'command' && (!t.agent || !t.command))
      ctx.addIssue({ code: 'custom', path: ['deploy', 'targets', i], message: 'a command target needs agent and command' });
    if (t.kind === 'command' && t.agent && c.agents && !c.agents.some((a) => a.name === t.agent))
      ctx.addIssue({ code: 'custom', path: ['deploy', 'targets', i, 'agent'], message: `no agent named ${t.agent} in agents` });
    for (const [key, pattern] of [['refPattern', t.refPattern], ['poll', t.poll?.doneMatch], ['poll', t.poll?.failMatch]] as const) {
      try {
        if (pattern !== undefined) new RegExp(pattern, 'u');
      } catch {
        ctx.addIssue({ code: 'custom', path: ['deploy', 'targets', i, key], message: 'not a valid regular expression' });
      }
    }
    if (c.deploy && c.deploy.targets.filter((x) => x.name === t.name).length > 1)
      ctx.addIssue({ code: 'custom', path: ['deploy', 'targets', i, 'name'], message: `duplicate target name ${t.name}` });
  });
});
