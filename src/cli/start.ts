import { namingFile, requireConfigFile } from '../config/load.js';
import { adapterFactories } from '../adapters/index.js';
import { chatPosters } from '../adapters/posters.js';
import type { Adapter } from '../adapters/types.js';
import { mountReadyChecks } from '../app/ready-checks.js';
import { HttpServer } from '../http/server.js';
import { Metrics } from '../metrics/metrics.js';
import { mountMetrics } from '../app/metrics-mount.js';
import { processLogger } from '../log-pretty.js';
import { buildApp } from '../app/main.js';
import { commands } from '../../commands/index.js';
import { loadPlugins } from '../../commands/plugins/load.js';
import { accessReloader } from './reload-access.js';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { CommandDef } from '../core/define-command.js';
import { stopWithin, trapSignals, type SignalTrap } from './signals.js';
import { slackGroupMembers } from '../adapters/slack/usergroups.js';
import { discordMemberRoles } from '../adapters/discord/members.js';

/**
 * `opsline start`: the configured adapters, the one HTTP server and (unless `workers` is false) the
 * job workers, until SIGINT or SIGTERM. `trap` holds the signal handlers, installed before anything
 * slow (src/cli.ts installs them before this module is even loaded).
 */
export async function runStart(configFlag: string | undefined, opts: { workers?: boolean } = {}, trap: SignalTrap = trapSignals()): Promise<number> {
  const loaded = requireConfigFile(configFlag);
  const { config } = loaded;
  const log = processLogger(config.log.level, loaded.secrets);
  // Command names for metric labels; anything else a caller types is counted as `unknown`.
  const known = new Set<string>();
  const metrics = new Metrics((name) => known.has(name));
  // Plugins load once, here: a module that fails or a command that is refused stops the start (docs/plugins.md).
  const plugins = await loadPlugins(config, loaded.source, commands, log);
  const app = await namingFile(loaded.source, () => buildApp(config, { log, secretValues: loaded.secrets, metrics, slackGroupMembers, discordMemberRoles, plugins }));
  // SIGHUP reloads access from here on; one sent while the app was being built is run now.
  const discordDrift = () => (config.discord ? warnDrift(config.discord, app.registry.all(), log) : Promise.resolve());
  trap.onHup(accessReloader(app, configFlag, log, { afterCommit: discordDrift }));
  for (const t of app.registry.targets()) known.add(t.path);
  const http = new HttpServer(log);
  const closeChecks = mountReadyChecks(http, app, log);
  const adapters: Adapter[] = [];
  for (const factory of adapterFactories) {
    const adapter = await namingFile(loaded.source, () => factory({ app, http, log, metrics }));
    if (adapter) adapters.push(adapter);
  }
  mountMetrics(http, app, metrics, adapters.map((a) => a.name));
  const dispatch = app.dispatcher.dispatch.bind(app.dispatcher);
  for (const a of adapters) await a.start(dispatch);
  // Discord shows only what `opsline register discord` sent: say so when that differs from this bot's commands.
  void discordDrift();
  // Before the workers: their first drive discovery waits for each agent, up to its request timeout
  // when one is unreachable, and commands must be acked meanwhile (/readyz is ready and reports the agent down).
  const port = await http.listen(config.http.port, config.http.host);
  const rest = async () => {
    // After the adapters: their transports must be registered before a worker reopens a thread.
    if (opts.workers !== false) await app.startWorkers();
    // Schedules run with or without job workers: each tick runs once across every process (docs/schedules.md).
    if (!trap.stopping) await app.startSchedules(chatPosters(app, log));
    return true;
  };
  // A stop signal while the workers wait for an agent stops the bot now, not after the wait.
  if (!trap.stopping && (await trap.unlessStopped(rest()))) {
    log.info({ port, adapters: adapters.map((a) => a.name) }, 'opsline started');
    if (adapters.length === 0) log.warn('no chat adapter is configured (add a slack or discord section)');
  }
  await trap.stopped;
  http.stopping();
  log.info('stopping: no new commands; running burns go on at their agents and the next worker re-attaches');
  return stopWithin(log, async () => {
    // Adapters first: they stop taking commands and finish the acks and replies under way.
    for (const a of adapters.reverse()) await a.stop().catch((err: unknown) => log.error({ err, adapter: a.name }, 'adapter stop failed'));
    await http.close();
    await closeChecks();
    // Workers let go of their jobs (the agent keeps burning), the audit trail is flushed, pools close.
    await app.stop();
  });
}

/** Discord shows only what `opsline register discord` sent: at start and after each reload, say so when that differs from this bot's commands. */
async function warnDrift(discord: NonNullable<Config['discord']>, defs: readonly CommandDef[], log: Logger): Promise<void> {
  const m = await import('../adapters/discord/registered.js');
  await m.warnOnDrift(discord, defs, log.child({ adapter: 'discord' }));
}
