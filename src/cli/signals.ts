import type { Logger } from 'pino';

/** What a long-running command promises on SIGTERM (docs/architecture.md, "Stopping"). */
export const STOP_DEADLINE_MS = 10_000;

/**
 * Resolves on the first SIGINT or SIGTERM: long-running commands stop gracefully then. SIGHUP calls
 * `onHup` (a reload) instead of ending the process, which is the default action for SIGHUP.
 */
export function untilSignal(onHup: () => void = () => {}): Promise<NodeJS.Signals> {
  process.on('SIGHUP', onHup);
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/**
 * Runs the graceful stop, but never for longer than STOP_DEADLINE_MS: a stop that hangs (a dead
 * MySQL, a wedged socket) must not keep a supervisor waiting, so the process exits with 1 then,
 * and at once on a second signal.
 */
export async function stopWithin(log: Logger, stop: () => Promise<void>, deadlineMs = STOP_DEADLINE_MS): Promise<number> {
  const started = Date.now();
  const force = (why: string) => {
    log.error({ ms: Date.now() - started }, `graceful stop ${why}; exiting now`);
    process.exit(1);
  };
  const timer = setTimeout(() => force(`took longer than ${deadlineMs} ms`), deadlineMs);
  timer.unref();
  const again = () => force('interrupted by a second signal');
  process.once('SIGINT', again);
  process.once('SIGTERM', again);
  try {
    await stop();
    log.info({ ms: Date.now() - started }, 'stopped');
    return 0;
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', again);
    process.off('SIGTERM', again);
  }
}
