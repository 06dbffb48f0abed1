import type { Logger } from 'pino';

/** What a long-running command promises on SIGTERM (docs/architecture.md, "Stopping"). */
export const STOP_DEADLINE_MS = 10_000;

/**
 * The signal handlers of a long-running command, installed before anything slow (module loading,
 * connecting, listening): a SIGHUP's default action ends the process, so one sent while the bot
 * starts (systemd's ExecReload) would otherwise kill it.
 */
export interface SignalTrap {
  /** Settles on the first SIGINT or SIGTERM. */
  readonly stopped: Promise<NodeJS.Signals>;
  /** The stop signal received so far, if any. */
  readonly stopping: NodeJS.Signals | undefined;
  /**
   * From now on SIGHUP calls `reload`. A SIGHUP received before (while starting) runs it once now:
   * the file may have changed after the start read it.
   */
  onHup(reload: () => void): void;
  /** Resolves with `step`'s result, or with undefined as soon as a stop signal comes (the step is left to settle). */
  unlessStopped<T>(step: Promise<T>): Promise<T | undefined>;
}

export function trapSignals(): SignalTrap {
  let reload: (() => void) | undefined;
  let missed = false;
  let stopping: NodeJS.Signals | undefined;
  process.on('SIGHUP', () => (reload ? reload() : (missed = true)));
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    const on = (s: NodeJS.Signals) => () => resolve((stopping = s));
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
  });
  return {
    stopped,
    get stopping() {
      return stopping;
    },
    onHup(fn) {
      reload = fn;
      if (!missed) return;
      missed = false;
      fn();
    },
    unlessStopped: (step) => Promise.race([step, stopped.then(() => undefined)]),
  };
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
