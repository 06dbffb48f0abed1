import type { Logger } from 'pino';
import type { JobLog } from './types.js';

const EVERY_MS = 60 * 60_000;

/**
 * Removes ended jobs older than `jobs.retention` (docs/configuration.md#jobs) at start and every hour.
 * Every replica may run it: a prune is DELETEs of old rows, and two that race remove each row once.
 * Resolves `stop` once a prune under way is done.
 */
export function pruneJobLog(store: JobLog, retentionMs: number, now: () => Date, log: Logger): { stop(): Promise<void>; once(): Promise<number> } {
  let running: Promise<number> = Promise.resolve(0);
  const once = () => {
    running = running.then(() =>
      store.prune(new Date(now().getTime() - retentionMs)).catch((err: unknown) => {
        log.warn({ err }, 'old job history not pruned; tried again in an hour');
        return 0;
      }),
    );
    return running;
  };
  void once();
  const timer = setInterval(() => void once(), EVERY_MS);
  timer.unref();
  return {
    once,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
