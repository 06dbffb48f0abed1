import type { Invocation } from '../../core/define-command.js';
import type { PluginPortLog, PluginPorts } from '../../core/plugin-ports.js';
import type { Services } from '../services.js';
import { devicesPort } from './devices.js';
import { httpPort } from './http.js';
import { jobsPort } from './jobs.js';
import { notesPort } from './notes.js';
import { secretsPort, type SecretSources } from './secrets.js';
import { statusPort } from './status.js';

export type PluginPortDeps = SecretSources;

/**
 * The ports a plugin handler gets (docs/plugins.md, "The context"), built per invocation from the
 * services bag, which the plugin never sees: each is a frozen object of plain functions.
 * `services` is read at use: the bag is built after this function is.
 */
export function pluginPortsFor(services: () => Services, deps: PluginPortDeps): (inv: Invocation, log: PluginPortLog) => PluginPorts {
  return (inv, log) => {
    const s = services();
    return Object.freeze({
      status: statusPort(s),
      notes: notesPort(s, inv),
      devices: devicesPort(s),
      jobs: jobsPort(s),
      http: httpPort(log),
      secrets: secretsPort(deps),
    });
  };
}
