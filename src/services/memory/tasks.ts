import type { StatusCount } from '../../core/ports.js';
import type { TasksRepository } from '../types.js';

export interface MemoryTask {
  readonly status: string;
  readonly createdAt: Date;
}

/** In-memory task table for the demo and unit tests. */
export class MemoryTasksRepository implements TasksRepository {
  constructor(
    private readonly tasks: readonly MemoryTask[],
    readonly hasTimeColumn = true,
  ) {}

  async countByStatus(since: Date | undefined): Promise<StatusCount[]> {
    const counts = new Map<string, number>();
    for (const t of this.tasks) {
      if (since && t.createdAt < since) continue;
      counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
    }
    return [...counts].map(([status, count]) => ({ status, count }));
  }
}

/** A deterministic spread of sample tasks over the last ten days. */
export function sampleTasks(now: Date, n = 240): MemoryTask[] {
  const statuses = ['Success', 'Success', 'Success', 'Pending', 'Failed', 'Success', 'Pending'];
  return Array.from({ length: n }, (_, i) => ({
    status: statuses[i % statuses.length]!,
    createdAt: new Date(now.getTime() - ((i * 3_600_000 * 240) / n) * (i % 3 === 0 ? 0.3 : 1)),
  }));
}
