import { ConfigError, requireConfigFile } from '../config/load.js';
import { onPath } from '../agent/child-env.js';
import { AgentServer } from '../agent/server.js';
import { processLogger } from '../log-pretty.js';
import { stopWithin, trapSignals, type SignalTrap } from './signals.js';

/** `opsline agent`: the device agent from the config's `agent` section, until SIGINT or SIGTERM. */
export async function runAgent(configFlag: string | undefined, trap: SignalTrap = trapSignals()): Promise<number> {
  const loaded = requireConfigFile(configFlag);
  const { config } = loaded;
  if (!config.agent) throw new ConfigError(loaded.source, ['agent: this section is required by `opsline agent`']);
  const a = config.agent;
  const log = processLogger(config.log.level, loaded.secrets).child({ component: 'agent' });
  // The agent's allowlist is its CURVE client keys, read at start: SIGHUP only says so.
  trap.onHup(() => log.warn('SIGHUP: the agent reloads nothing; restart it to apply a new config'));
  const server = await AgentServer.start({
    bind: a.bind,
    keys: a.keys,
    allowedClients: a.allowedClients,
    imagesDir: a.imagesDir,
    stateDir: a.stateDir,
    drives: a.drives,
    commands: a.commands,
    heartbeatMs: a.heartbeatMs,
    ...(a.name ? { name: a.name } : {}),
    // Found on the agent's own PATH; xorriso itself gets only a minimal environment (src/agent/child-env.ts).
    xorriso: onPath('xorriso', process.env.PATH),
    log,
  });
  await trap.stopped;
  // A burn cut short is never resumed (a disc is never burnt twice): it is cancelled and reported failed.
  log.info('stopping: running burns are cancelled and reported');
  return stopWithin(log, () => server.close());
}
