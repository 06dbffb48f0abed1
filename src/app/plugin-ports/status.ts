import { UserError } from '../../core/errors.js';
import type { PluginStatus, PluginStatusReport } from '../../core/plugin-ports.js';
import { STATUS_WINDOWS, type StatusPort, type StatusReport, type StatusWindow } from '../../core/ports.js';

/** `ctx.status` (docs/plugins.md): the status service's counts, copied; the refusals /status gives. */
export function statusPort(services: StatusPort): PluginStatus {
  const service = services.status;
  const windows: readonly StatusWindow[] = Object.freeze(service ? (service.hasTimeColumn ? [...STATUS_WINDOWS] : ['all']) : []);
  return Object.freeze({
    configured: service !== undefined,
    windows,
    async report(window?: StatusWindow): Promise<PluginStatusReport> {
      if (!service) throw new UserError('not_configured', 'status is not configured (no status table or storage)');
      const w = window ?? (service.hasTimeColumn ? 'today' : 'all');
      if (!STATUS_WINDOWS.includes(w)) throw new UserError('bad_input', `window must be one of: ${STATUS_WINDOWS.join(', ')}`);
      if (!windows.includes(w)) throw new UserError('bad_input', `the task table has no time column, so only the window all works (not ${w})`);
      return copy(await service.report(w));
    },
  });
}

function copy(r: StatusReport): PluginStatusReport {
  return Object.freeze({
    window: r.window,
    counts: Object.freeze(r.counts.map((c) => Object.freeze({ status: c.status, count: c.count }))),
    total: r.total,
    done: r.done,
    at: new Date(r.at.getTime()),
    ...(r.ageMs !== undefined ? { ageMs: r.ageMs } : {}),
    ...(r.staleBecause !== undefined ? { staleBecause: r.staleBecause } : {}),
  });
}
