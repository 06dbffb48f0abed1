import type { Logger } from 'pino';

const MAX_KINDS = 1000;

/**
 * Logs a repeated warning once per interval and kind, then how many were held back: a peer that
 * sends garbage in a loop (or a refused key that retries every 200 ms) must not flood the log.
 */
export class WarnLimiter {
  private readonly last = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly log: Logger,
    private readonly intervalMs = 60_000,
  ) {}

  warn(kind: string, fields: Record<string, unknown>, msg: string): void {
    const now = Date.now();
    const seen = this.last.get(kind);
    if (seen && now - seen.at < this.intervalMs) {
      seen.held++;
      return;
    }
    this.log.warn({ ...fields, ...(seen?.held ? { suppressed: seen.held } : {}) }, msg);
    // Kinds can come from outside (a refused key): forget quiet ones so the map stays small.
    if (this.last.size >= MAX_KINDS) for (const [k, v] of this.last) if (now - v.at >= this.intervalMs) this.last.delete(k);
    this.last.set(kind, { at: now, held: 0 });
  }
}
