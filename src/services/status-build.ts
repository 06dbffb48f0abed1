import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { StatusService } from '../core/ports.js';
import { BackgroundStatusService } from './status-background.js';
import { TaskStatusService } from './status.js';
import type { StatusRefresher, StatusSnapshotRepository, TasksRepository } from './types.js';

/** Where background counts are stored and who counts them: MySQL, or memory in the demo. */
export interface CountStore {
  readonly snapshots: StatusSnapshotRepository;
  readonly refresher: StatusRefresher;
}

/**
 * The /status service the config asks for (docs/configuration.md#status): on demand with `refreshMs: 0`,
 * else background counts kept in `store()` (made only then, so an on-demand config stores nothing).
 */
export function buildStatus(
  status: NonNullable<Config['status']>,
  tasks: TasksRepository,
  store: () => CountStore,
  now: () => Date,
  log: Logger,
): { service: StatusService; snapshots?: StatusSnapshotRepository } {
  const common = { statuses: status.statuses, doneStatuses: status.doneStatuses, now };
  if (status.refreshMs === 0) return { service: new TaskStatusService(tasks, { ...common, cacheMs: status.cacheMs, log: log.child({ component: 'status' }) }) };
  const { snapshots, refresher } = store();
  const service = new BackgroundStatusService(snapshots, refresher, {
    ...common,
    refreshMs: status.refreshMs,
    refreshTimeoutMs: status.refreshTimeoutMs,
    retentionMs: status.snapshotRetention,
    hasTimeColumn: tasks.hasTimeColumn,
    log: log.child({ component: 'status' }),
  });
  return { service, snapshots };
}
