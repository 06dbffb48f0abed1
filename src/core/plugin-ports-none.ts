import { UserError } from './errors.js';
import type { PluginPorts } from './plugin-ports.js';

/**
 * The ports of a bot that built none (a command run outside the composition root): every call says
 * which feature is missing, as a built-in would (docs/plugins.md, "The context").
 */
export function unconfiguredPorts(): PluginPorts {
  const off = (what: string) => async (): Promise<never> => {
    throw new UserError('not_configured', `${what} is not configured here`);
  };
  return Object.freeze({
    status: Object.freeze({ configured: false, windows: Object.freeze([]), report: off('status') }),
    notes: Object.freeze({ durable: false, add: off('notes'), list: off('notes'), search: off('notes') }),
    devices: Object.freeze({ configured: false, drives: off('device agents') }),
    jobs: Object.freeze({ configured: false, list: off('the job queue'), recent: off('the job queue') }),
    http: Object.freeze({ request: off('outbound HTTP') }),
    secrets: Object.freeze({ get: off('secrets') }),
  });
}
