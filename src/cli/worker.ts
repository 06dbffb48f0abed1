import { chatPosters } from '../adapters/posters.js';
import { addWorkerTransports } from '../adapters/transports.js';
import { ConfigError, namingFile, requireConfigFile } from '../config/load.js';
import { processLogger } from '../log-pretty.js';
import { buildApp } from '../app/main.js';
import { commands } from '../../commands/index.js';
import { loadPlugins } from '../../commands/plugins/load.js';
import { accessReloader } from './reload-access.js';
import { stopWithin, trapSignals, type SignalTrap } from './signals.js';
import { slackGroupMembers } from '../adapters/slack/usergroups.js';

/**
 * `opsline worker`: job workers only, until SIGINT or SIGTERM. It runs no chat adapter, but it
 * reports progress into threads with the platforms' tokens, so any worker can report for any job.
 * `trap` holds the signal handlers, installed before anything slow (see runStart).
 */
export async function runWorker(configFlag: string | undefined, trap: SignalTrap = trapSignals()): Promise<number> {
  const loaded = requireConfigFile(configFlag);
  const { config } = loaded;
  // In-process queues would leave a worker nothing to take: it needs Redis, and burns (agents) or deploys to run.
  const deploys = config.redis ? (config.deploy?.targets.length ?? 0) : 0;
  const scheduled = config.redis ? (config.schedules?.length ?? 0) + (config.alerts?.length ?? 0) : 0;
  if (!config.agents?.length && !deploys && !scheduled)
    throw new ConfigError(loaded.source, ['agents: `opsline worker` needs at least one device agent, or deploy.targets, schedules or alerts with redis']);
  const log = processLogger(config.log.level, loaded.secrets);
  // Schedules run commands here too: a plugin's command must be known to them (docs/plugins.md).
  const plugins = await loadPlugins(config, loaded.source, commands, log);
  const app = await namingFile(loaded.source, () => buildApp(config, { log, secretValues: loaded.secrets, env: loaded.env, slackGroupMembers, plugins }));
  // The worker holds the app's allowlist too: SIGHUP reloads it, as for `opsline start`.
  trap.onHup(accessReloader(app, configFlag, log));
  addWorkerTransports(app, log);
  const rest = async () => {
    await app.startWorkers();
    if (!trap.stopping) await app.startSchedules(chatPosters(app, log));
    return true;
  };
  // The first drive discovery waits for each agent: a stop signal meanwhile stops the worker now.
  if (!trap.stopping && (await trap.unlessStopped(rest())))
    log.info({ agents: (config.agents ?? []).map((a) => a.name), deployTargets: deploys }, 'opsline worker started');
  await trap.stopped;
  log.info('stopping; running burns go on at their agents and the next worker re-attaches');
  return stopWithin(log, () => app.stop());
}
