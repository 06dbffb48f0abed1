import type { StatusWindow } from '../../../core/ports.js';
import type { StatusSnapshotRepository } from '../../../services/types.js';
import type { ChartInput } from './chart.js';

const DAY = 86_400_000;
/** About this many points a line, whatever the span: one per hour over a week. */
const POINTS = 168;

/**
 * The stored snapshots the status chart draws (docs/web.md, "Status"): the newest one per slice of
 * `days` days, read from the snapshot store, never the status table. `days` is 1 to 30 (the default
 * retention), else 7.
 */
export async function chartData(snapshots: StatusSnapshotRepository, window: StatusWindow, daysParam: string | null, now: Date): Promise<ChartInput> {
  const n = Number(daysParam ?? '7');
  const days = Number.isInteger(n) && n >= 1 && n <= 30 ? n : 7;
  const since = new Date(now.getTime() - days * DAY);
  return { window, since, until: now, points: await snapshots.sampled(window, since, (days * DAY) / POINTS) };
}
