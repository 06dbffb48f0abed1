import type { Invocation } from '../../core/define-command.js';
import type { PluginPortLog, PluginPorts } from '../../core/plugin-ports.js';
import type { Services } from '../services.js';
import { devicesPort } from './devices.js';
import { httpPort } from './http.js';
import { jobsPort } from './jobs.js';
import { notesPort } from './notes.js';
import { secretsPort, type SecretSources } from './secrets.js';
import { statusPort } from './status.js';

export interface PluginPortDeps extends SecretSources {
  /** Config values that came from ${ENV}: masked in what the http port logs. */
  readonly masked: readonly string[];
}

/**
 * The ports a plugin handler gets (docs/plugins.md, "The context"), built per invocation from the
 * services bag, which the plugin never sees: each is a frozen object of plain functions.
 * `services` is read at use: the bag is built after this function is.
 */
export function pluginPortsFor(services: () => Services, deps: PluginPortDeps): (inv: Invocation, log: PluginPortLog) => PluginPorts {
  return (inv, log) => {
    const s = services();
    const revealed = new Set<string>();
    return Object.freeze({
      status: statusPort(s),
      notes: notesPort(s, inv),
      devices: devicesPort(s),
      jobs: jobsPort(s),
      http: httpPort(log, revealed, deps.masked),
      secrets: secretsPort(deps, revealed),
    });
  };
}
