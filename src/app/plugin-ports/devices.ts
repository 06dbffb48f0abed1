import { burnsOf } from '../../../commands/shared/burns.js';
import type { PluginAgentDrives, PluginDevices } from '../../core/plugin-ports.js';
import type { BurnsPort } from '../../services/burns.js';

/** `ctx.devices` (docs/plugins.md): what /drives shows, copied; the refusal /drives gives without agents. */
export function devicesPort(services: BurnsPort): PluginDevices {
  return Object.freeze({
    configured: services.burns !== undefined,
    async drives(): Promise<readonly PluginAgentDrives[]> {
      const agents = await burnsOf({ services }).drives();
      return Object.freeze(
        agents.map((a) =>
          Object.freeze({
            agent: a.agent,
            state: a.state,
            drives: Object.freeze(a.drives.map((d) => Object.freeze({ name: d.name, kind: d.kind, ...(d.speed ? { speed: d.speed } : {}), ...(d.busyWith ? { busyWith: d.busyWith } : {}) }))),
            ...(a.error ? { error: a.error } : {}),
          }),
        ),
      );
    },
  });
}
