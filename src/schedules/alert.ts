import type { AlertEntry } from '../config/schedules.js';
import { percent } from '../core/format.js';
import type { StatusService, StatusWindow } from '../core/ports.js';

const IN: Record<StatusWindow, string> = { today: 'today', '24h': 'in the last 24 h', '7d': 'in the last 7 days', all: 'in all' };

export interface AlertCheck {
  readonly firing: boolean;
  /** What was seen, in words: `12 Failed today (above 10)`. */
  readonly summary: string;
}

/** `HH:MM` of `at` in the time zone. */
export function timeOfDay(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}

/**
 * The alert holds when every condition it names holds: more than `above` tasks in `status`, less
 * than `percentDoneBelow` percent done (a window without tasks is not below), and the local time
 * at or past `after`. One status query per check.
 */
export async function checkAlert(a: AlertEntry, status: StatusService, now: Date): Promise<AlertCheck> {
  const r = await status.report(a.window);
  const parts: string[] = [];
  let firing = true;
  if (a.above !== undefined) {
    const n = r.counts.find((c) => c.status === a.status)?.count ?? 0;
    firing &&= n > a.above;
    parts.push(`${n} ${a.status ?? ''} ${IN[a.window]} (alert above ${a.above})`);
  }
  if (a.percentDoneBelow !== undefined) {
    const done = r.total === 0 ? undefined : (100 * r.done) / r.total;
    firing &&= done !== undefined && done < a.percentDoneBelow;
    parts.push(`${r.total === 0 ? 'no tasks' : `${percent(r.done, r.total)}% done`} ${IN[a.window]} (alert below ${a.percentDoneBelow}%)`);
  }
  if (a.after !== undefined) {
    const local = timeOfDay(now, a.timezone);
    firing &&= local >= a.after;
    parts.push(`${local} ${a.timezone} (alert after ${a.after})`);
  }
  return { firing, summary: parts.join(', ') };
}
