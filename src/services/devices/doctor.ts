import { pino } from 'pino';
import type { Config } from '../../config/schema.js';
import { CheckFailure, rootCause, type Check } from '../../doctor/types.js';
import { createDeviceClient } from './index.js';

/** Each configured agent answers `hello` over CURVE with this bot's client keys. */
export function agentChecks(config: Config): Check[] {
  return (config.agents ?? []).map((a) => ({
    name: `agent ${a.name}`,
    async run() {
      const client = createDeviceClient({ agents: [a], clientKeys: config.clientKeys }, pino({ level: 'silent' }));
      if (!client) throw new Error('clientKeys are missing');
      try {
        const hello = await client.hello(a.name);
        const drives = await client.drives(a.name);
        return `${a.endpoint}: ${hello.agent}, protocol v${hello.v}, drives ${drives.map((d) => d.name).join(', ') || '(none)'}`;
      } catch (err) {
        const state = client.state(a.name);
        if (state === 'refused') throw new CheckFailure(`${a.endpoint} refused this bot's key: add clientKeys.public to the agent's allowedClients`, { cause: err });
        throw new CheckFailure(`${a.endpoint}: ${rootCause(err)}`, { cause: err });
      } finally {
        await client.close();
      }
    },
  }));
}
