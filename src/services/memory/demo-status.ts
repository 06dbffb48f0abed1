import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { buildStatus } from '../status-build.js';
import type { StatusService } from '../../core/ports.js';
import type { StatusSnapshotRepository } from '../types.js';
import { MemoryStatusRefresher, MemoryStatusSnapshots } from './status-snapshots.js';
import { MemoryTasksRepository, sampleTasks } from './tasks.js';

/** The demo's /status: sample tasks in memory, counted the way the config says (docs/configuration.md#status). */
export function demoStatus(status: NonNullable<Config['status']>, now: () => Date, log: Logger): { service: StatusService; snapshots?: StatusSnapshotRepository } {
  const tasks = new MemoryTasksRepository(sampleTasks(now()));
  return buildStatus(status, tasks, () => {
    const snapshots = new MemoryStatusSnapshots(now);
    return { snapshots, refresher: new MemoryStatusRefresher(tasks, snapshots, now) };
  }, now, log);
}
