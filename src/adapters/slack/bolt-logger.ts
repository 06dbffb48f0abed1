import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';

/**
 * Bolt and its Web API client log through this bridge into our pino root, so their lines are
 * structured and pass through the same secret redaction as ours.
 */
export function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ lib: 'bolt' });
  const line = (msg: unknown[]): string => msg.map((m) => (typeof m === 'string' ? m : safeJson(m))).join(' ');
  return {
    debug: (...msg: unknown[]) => child.debug(line(msg)),
    info: (...msg: unknown[]) => child.info(line(msg)),
    warn: (...msg: unknown[]) => child.warn(line(msg)),
    error: (...msg: unknown[]) => child.error(line(msg)),
    // Levels are pino's business; Bolt's setters are accepted and ignored.
    setLevel: () => undefined,
    getLevel: () => levelOf(log.level),
    setName: () => undefined,
  };
}

function safeJson(v: unknown): string {
  if (v instanceof Error) return v.message;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function levelOf(level: string): LogLevel {
  if (level === 'trace' || level === 'debug') return LogLevel.DEBUG;
  if (level === 'info') return LogLevel.INFO;
  return level === 'warn' ? LogLevel.WARN : LogLevel.ERROR;
}
