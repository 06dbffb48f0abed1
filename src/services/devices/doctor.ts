import { pino } from 'pino';
import type { Config } from '../../config/schema.js';
import { CheckFailure, rootCause, type Check } from '../../doctor/types.js';
import { createDeviceClient } from './index.js';

// A CURVE handshake with the wrong server key fails in silence, so silence has these two causes.
const SILENT = (name: string) =>
  `is \`opsline agent\` running there, may this host reach that port (firewall), and is agents[${name}].serverKey the agent's public key?`;

/** Each configured agent answers `hello` over CURVE with this bot's client keys. */
export function agentChecks(config: Config): Check[] {
  return (config.agents ?? []).map((a) => ({
    name: `agent ${a.name}`,
    target: a.endpoint,
    silentFix: SILENT(a.name),
    async run() {
      const client = createDeviceClient({ agents: [a], clientKeys: config.clientKeys }, pino({ level: 'silent' }));
      if (!client) throw new CheckFailure('clientKeys are missing');
      try {
        const hello = await client.hello(a.name);
        const drives = await client.drives(a.name);
        return `${a.endpoint}: ${hello.agent}, protocol v${hello.v}, drives ${drives.map((d) => d.name).join(', ') || '(none)'}`;
      } catch (err) {
        const state = client.state(a.name);
        if (state === 'refused') throw new CheckFailure(`${a.endpoint} refused this bot's key: add clientKeys.public to the agent's allowedClients`, { cause: err });
        const fix = state === 'down' || state === 'connecting' ? `; ${SILENT(a.name)}` : '';
        throw new CheckFailure(`${a.endpoint}: ${rootCause(err)}${fix}`, { cause: err });
      } finally {
        await client.close();
      }
    },
  }));
}
