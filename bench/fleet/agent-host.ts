import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { AgentServer, type AgentOptions } from '../../src/agent/server.js';

/** What one agent of the fleet is: everything `AgentServer.start` takes but the logger. */
export type HostedAgent = Omit<AgentOptions, 'log'>;

/** The line the host prints once every agent listens. */
export const HOST_READY = 'fleet agents listening';

/**
 * `node agent-host.js <spec.json>`: the fleet's agents, each a real `AgentServer` (its own CURVE key
 * pair and ROUTER on its own loopback port, its own ZAP allow-list, pseudo-drives and commands), all
 * in this one process. Each logs at info to stdout, as `opsline agent` does: the bench reads each
 * job's `started` line (with its time) from there.
 */
async function main(specPath: string): Promise<void> {
  const agents = JSON.parse(await readFile(specPath, 'utf8')) as HostedAgent[];
  const log = pino({ level: 'info' });
  const servers: AgentServer[] = [];
  for (const a of agents) servers.push(await AgentServer.start({ ...a, log: log.child({ agent: a.name }) }));
  // Each bound to a port the system chose (bind `…:*`): ports picked beforehand could be taken by another process first.
  log.info({ agents: servers.length, endpoints: Object.fromEntries(servers.map((s, i) => [agents[i]!.name, s.endpoint])) }, HOST_READY);
  process.once('SIGTERM', () => {
    void Promise.all(servers.map((s) => s.close())).finally(() => process.exit(0));
  });
}

// Imported by the bench for its types and ready line; run only as the child's entry point.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv[2]!);
