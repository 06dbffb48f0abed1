import type { StatusCount } from '../core/ports.js';

/** Reads the monitored application's task table; one GROUP BY per call. */
export interface TasksRepository {
  /** False when no time column is configured: only the `all` window can be answered. */
  readonly hasTimeColumn: boolean;
  countByStatus(since: Date | undefined): Promise<StatusCount[]>;
}
