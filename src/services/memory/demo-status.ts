import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { BackgroundStatusService } from '../status-background.js';
import { TaskStatusService } from '../status.js';
import type { StatusService } from '../../core/ports.js';
import type { StatusSnapshotRepository } from '../types.js';
import { MemoryStatusRefresher, MemoryStatusSnapshots } from './status-snapshots.js';
import { MemoryTasksRepository, sampleTasks } from './tasks.js';

/** The demo's /status: sample tasks in memory, counted the way the config says (docs/configuration.md#status). */
export function demoStatus(status: NonNullable<Config['status']>, now: () => Date, log: Logger): { service: StatusService; snapshots?: StatusSnapshotRepository } {
  const tasks = new MemoryTasksRepository(sampleTasks(now()));
  const common = { statuses: status.statuses, doneStatuses: status.doneStatuses, now };
  if (status.refreshMs === 0) return { service: new TaskStatusService(tasks, { ...common, cacheMs: status.cacheMs }) };
  const snapshots = new MemoryStatusSnapshots(now);
  const service = new BackgroundStatusService(snapshots, new MemoryStatusRefresher(tasks, snapshots, now), {
    ...common,
    refreshMs: status.refreshMs,
    refreshTimeoutMs: status.refreshTimeoutMs,
    retentionMs: status.snapshotRetention,
    hasTimeColumn: tasks.hasTimeColumn,
    log: log.child({ component: 'status' }),
  });
  return { service, snapshots };
}
