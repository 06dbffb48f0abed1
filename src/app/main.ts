import type { Logger } from 'pino';
import { commands } from '../../commands/index.js';
import type { Access } from '../core/access.js';
import { unknownAccessKeys } from '../core/access.js';
import { buildAccess, type DiscordMemberRoles, type SlackGroupMembers } from './access-setup.js';
import { type ReloadPlan } from './access-reload.js';
import { planReload } from './declared-reload.js';
import { setupDeclared } from '../../commands/declared/setup.js';
import type { Sources } from '../../commands/declared/sources.js';
import type { SlackGroupRoles } from '../core/roles/slack-groups.js';
import { MemoryGrantStore } from '../core/grants/memory-store.js';
import type { GrantStore } from '../core/grants/types.js';
import { MysqlGrantStore } from '../services/db/grants.js';
import { ConfigError } from '../config/load.js';
import type { CommandDef } from '../core/define-command.js';
import { LogAuditSink, type AuditSink } from '../core/audit.js';
import { Confirmations } from '../core/confirmations.js';
import { RedisConfirmations } from '../services/redis-confirmations.js';
import { Dispatcher } from '../core/dispatcher.js';
import { Registry } from '../core/registry.js';
import { Transports } from '../relay/transports.js';
import { buildRelay } from '../relay/build.js';
import type { ThreadRelay } from '../relay/entry.js';
import { buildBudget, type RateBudget } from '../services/budget/index.js';
import type { Config } from '../config/schema.js';
import { MemoryNotesRepository } from '../services/memory/notes.js';
import { demoStatus } from '../services/memory/demo-status.js';
import { buildMysqlServices } from '../services/db/index.js';
import { buildVaultServices, type Secrets, type VaultClient, type VaultMysqlCredentials } from '../services/secrets/index.js';
import type { Services } from './services.js';
import { buildBurns, type InProcessAgent } from '../jobs/setup.js';
import { buildDeploys } from '../jobs/deploy-setup.js';
import { gateRoles } from './gate-roles.js';
import type { DeviceClient } from '../services/devices/types.js';
import type { BurnQueue } from '../services/queue/types.js';
import type { Db } from '../services/db/index.js';
import type { Metrics } from '../metrics/metrics.js';
import { scheduleIssues, withSchedulePrincipals } from '../schedules/check.js';
import { buildSchedules } from '../schedules/setup.js';
import { buildWebAuth } from '../services/web/index.js';
import { MemoryJobLog, pruneJobLog } from '../services/job-log/index.js';
import type { ChannelPoster } from '../schedules/types.js';
import type { StatusService } from '../core/ports.js';
import { pluginPortsFor } from './plugin-ports/index.js';

export interface App {
  readonly config: Config;
  readonly registry: Registry<Services>;
  readonly access: Access;
  /** The Slack user group role source, with access.slackGroups (its `refreshed` events show each fetch). */
  readonly slackGroups?: SlackGroupRoles;
  readonly services: Services;
  readonly dispatcher: Dispatcher<Services>;
  readonly transports: Transports;
  /** Carries thread updates between processes (Redis) or inside this one (docs/console.md). */
  readonly relay: ThreadRelay;
  /** Paces calls to Slack and Discord under their limits; shared by every process through Redis (docs/rate-limits.md). */
  readonly budget: RateBudget;
  readonly log: Logger;
  /** SIGHUP: checks a new config as start would and builds all of its `access`; nothing changes until the plan is committed. */
  planReload(next: Config): ReloadPlan;
  /** Starts job workers in this process; call it after the platform transports are registered. */
  startWorkers(): Promise<void>;
  /** Starts schedules and alerts for the platforms these posters cover (docs/schedules.md). */
  startSchedules(posters: readonly ChannelPoster[]): Promise<void>;
  /** Secret references (`vault:<path>#<key>`) read from Vault's KV engine; undefined without a vault section. */
  readonly secrets: Secrets | undefined;
  /** The Vault lease behind the MySQL login, with mysql.vault. */
  readonly mysqlCredentials: VaultMysqlCredentials | undefined;
  /** The data sources of declared sql commands in force (each with its Vault lease, if it has one). */
  sources(): Sources;
  /** The MySQL handle behind the services, with a mysql section (readiness checks). */
  readonly db: Db | undefined;
  /** Waits for jobs running in this process (the demo lets a burn finish before it exits). */
  idle(): Promise<void>;
  /** Graceful stop: waits for the audit trail to be written. */
  stop(): Promise<void>;
}

export interface BuildOptions {
  readonly log: Logger;
  /** In-memory services with sample data (console --demo, unit tests). */
  readonly demo?: boolean;
  readonly now?: () => Date;
  readonly audit?: AuditSink;
  /** An in-process device agent with a virtual drive and a sample image (console --demo; needs xorriso). */
  readonly demoAgent?: boolean;
  /** Where the composition root tells a person about a feature it had to leave off (the console prints it). */
  readonly notice?: (text: string) => void;
  /** Burn machinery built by the caller (tests: a device client and queue of their choosing). */
  readonly burns?: { readonly devices: DeviceClient; readonly queue: BurnQueue };
  /** Config values that came from ${ENV}: masked in deploy output shown in chat. */
  readonly secretValues?: readonly string[];
  /** Secret references for deploy webhooks (tests: fixed values); default Vault's KV with a vault section. */
  readonly secrets?: Secrets;
  /** Counts every audited invocation (`opsline start`'s /metrics). */
  readonly metrics?: Metrics;
  /**
   * Slack's user group lookup for access.slackGroups (src/adapters/slack/usergroups.ts), given by the
   * caller: the composition root stands below the adapters (docs/architecture.md, "Layers").
   */
  readonly slackGroupMembers?: SlackGroupMembers;
  /** Discord's guild member lookup for access.discordRoles on the web (src/adapters/discord/members.ts), likewise. */
  readonly discordMemberRoles?: DiscordMemberRoles;
  /** Replaces the command list (tests add a command of their own, e.g. a test job). */
  readonly commands?: readonly CommandDef<Services>[];
  /**
   * Plugin commands, loaded and checked by the caller (commands/plugins/load.ts): registered beside the
   * built-ins for the life of the process, so declared commands may not take their names either.
   */
  readonly plugins?: readonly CommandDef<unknown>[];
  /** The environment the config was loaded with: plugins' `env:<NAME>` secrets (docs/plugins.md). */
  readonly env?: (name: string) => string | undefined;
  /** The status service without a mysql section (opsline/testing's settable counts). */
  readonly status?: StatusService;
}

/** The composition root: config → services → registry → dispatcher. Adapters are added by the caller. */
export async function buildApp(config: Config, opts: BuildOptions): Promise<App> {
  const now = opts.now ?? (() => new Date());
  const log = opts.log;
  // Typed on the whole bag: a command that names a port the bag lacks does not compile.
  const registry = new Registry<Services>([...(opts.commands ?? commands), ...(opts.plugins ?? [])]);
  // Declared commands join the registry before access is checked: access.commands may name them.
  const declared = setupDeclared(config, registry, { log, secrets: () => opts.secrets ?? built.secrets, masked: opts.secretValues ?? [], vault: () => built.vaultClient });
  const badKeys = unknownAccessKeys(config.access, registry.targets().map((t) => t.path));
  if (badKeys.length) throw new ConfigError('config', badKeys);
  const relay = buildRelay(config, log);
  const budget = buildBudget(config, log);
  const transports = new Transports(relay);
  const built = await buildServices(config, opts, now);
  // A source on Vault gets its first login now: a Vault that refuses stops the start, as for mysql.vault (docs/vault.md).
  await declared.ready().catch(async (err: unknown) => {
    await declared.close();
    await built.close();
    throw err;
  });
  // Each schedule runs as its own system principal, with the roles its config entry gives it.
  const list = withSchedulePrincipals(config.access, config.schedules);
  const extra = gateRoles(config);
  const parts = buildAccess(config, built.grantStore, transports, log, () => now().getTime(), { list, extra }, opts.slackGroupMembers, opts.discordMemberRoles);
  const access = parts.access;
  const scheduleProblems = scheduleIssues(config.schedules, registry, access);
  if (scheduleProblems.length) throw new ConfigError('config', scheduleProblems);
  // Schedules run commands through the dispatcher, which is built after the services they are part of.
  const late: { dispatcher?: Dispatcher<Services> } = {};
  const schedules = buildSchedules(config, { log, now, status: built.services.status, audit: built.services.audit, dispatcher: () => late.dispatcher!, devices: () => burns?.service.devices });
  const failed = schedules && ((f: Parameters<typeof schedules.jobFailed>[0]) => schedules.jobFailed(f));
  let devicesOff: string | undefined;
  const onOff = (reason: string) => {
    devicesOff = reason;
    opts.notice?.(reason);
  };
  const jobLog = built.services.jobLog;
  const burns = await buildBurns(config, { log, demoAgent: opts.demoAgent ? startDemoAgent : undefined, given: opts.burns, notice: onOff, failed, jobLog }, transports);
  const secrets = opts.secrets ?? built.secrets;
  const deploys = buildDeploys(config, { log, devices: burns?.service.devices, secrets, masked: opts.secretValues ?? [], failed, devicesOff, demo: opts.demoAgent === true, jobLog }, transports);
  // The audit trail has one record per invocation, so metering it counts every command once.
  const audit = opts.metrics ? opts.metrics.meterAudit(built.services.audit) : built.services.audit;
  const web = buildWebAuth(config, log, () => now().getTime());
  const services: Services = {
    ...built.services,
    audit,
    burns: burns?.service,
    deploys: deploys?.service,
    schedules: schedules?.service,
    relay,
    grants: parts.grants,
    web,
    ...(devicesOff ? { devicesOff } : {}),
    pluginPorts: pluginPortsFor(() => services, { vault: secrets, env: opts.env }),
  };
  // With Redis, a confirmation may reach any replica; otherwise only this process holds it.
  const redisConfirm = config.redis && new RedisConfirmations(config.redis, config.redis.prefix, log, () => now().getTime());
  const confirmations = redisConfirm || new Confirmations(() => now().getTime());
  const dispatcher = new Dispatcher({ registry, access, services, log, transports, confirmations, approvals: parts.approvals });
  late.dispatcher = dispatcher;
  parts.start();
  // Background counts start now, so the first /status rarely finds them cold (docs/configuration.md#status).
  services.status?.start?.();
  // Ended jobs' history and output go after jobs.retention (docs/configuration.md#jobs).
  const pruning = jobLog && pruneJobLog(jobLog, config.jobs.retention, now, log.child({ service: 'job-log' }));
  let stopping = false;
  return {
    config,
    registry,
    access,
    get slackGroups() {
      return parts.slackGroups;
    },
    services,
    dispatcher,
    transports,
    relay,
    budget,
    log,
    secrets,
    mysqlCredentials: built.vault,
    sources: () => declared.sources(),
    db: built.db,
    planReload: (next) => planReload(config, next, registry, parts, extra, declared),
    async startWorkers() {
      await burns?.startWorkers();
      // The burn workers' first discovery may outlast a stop signal: nothing starts after the stop.
      if (!stopping) await deploys?.startWorkers();
    },
    async startSchedules(posters) {
      if (!stopping) await schedules?.start(posters);
    },
    async idle() {
      await burns?.idle();
      await deploys?.idle();
    },
    async stop() {
      stopping = true;
      await services.status?.stop?.();
      await schedules?.close();
      await deploys?.close();
      await burns?.close();
      await pruning?.stop();
      await redisConfirm?.close();
      await web?.close();
      await relay.close();
      await budget.close();
      await parts.stop();
      await services.audit.flush();
      await built.close();
      await declared.close();
    },
  };
}

interface Built {
  readonly services: Services;
  readonly secrets?: Secrets;
  readonly vault?: VaultMysqlCredentials;
  readonly vaultClient?: VaultClient;
  readonly db?: Db;
  /** Time-boxed grants: in MySQL with a mysql section, else in this process only. */
  readonly grantStore: GrantStore;
  /** Releases what the services hold (the MySQL pool), after the audit trail is flushed. */
  readonly close: () => Promise<void>;
}

async function buildServices(config: Config, opts: BuildOptions, now: () => Date): Promise<Built> {
  const vault = await buildVaultServices(config, opts.log);
  if (config.mysql) {
    const lease = vault?.mysql;
    const m = buildMysqlServices(config, opts.log, now, undefined, lease?.db);
    const audit = opts.audit ?? m.audit;
    const services: Services = { status: m.status, statusSnapshots: m.statusSnapshots, notes: m.notes, notesDurable: true, audit, now, jobLog: m.jobLog };
    // No rotation may start while the pool closes; the lease goes last, once nothing uses it.
    const close = async () => {
      await lease?.credentials.halt();
      await m.stop();
      await lease?.credentials.revoke();
    };
    return { services, secrets: vault?.secrets, vault: lease?.credentials, vaultClient: vault?.client, db: m.db, close, grantStore: new MysqlGrantStore(m.db) };
  }
  const audit = opts.audit ?? new LogAuditSink(opts.log);
  const notes = new MemoryNotesRepository(now);
  const demo = opts.demo && config.status ? demoStatus(config.status, now, opts.log) : undefined;
  if (opts.demo) await seedNotes(notes);
  return { services: { status: opts.status ?? demo?.service, statusSnapshots: demo?.snapshots, notes, notesDurable: false, audit, now, jobLog: new MemoryJobLog() }, secrets: vault?.secrets, vaultClient: vault?.client, close: async () => {}, grantStore: new MemoryGrantStore(now) };
}

async function seedNotes(notes: MemoryNotesRepository): Promise<void> {
  const author = { authorKey: 'console:demo', authorName: 'demo', platform: 'console', room: 'console' };
  await notes.add({ ...author, body: 'Welcome to the opsline demo. Try /note add <text> and /note search <words>.' });
  await notes.add({ ...author, body: 'Backups rotate at 02:00 UTC; the restore runbook is in the wiki.' });
}

/** The demo's agent, loaded only when the demo asks for it: `opsline start` loads no demo code (test/cli/no-demo.test.ts). */
async function startDemoAgent(log: Logger): Promise<InProcessAgent> {
  const demo = await import('../demo/agent.js');
  return demo.startDemoAgent(log);
}
