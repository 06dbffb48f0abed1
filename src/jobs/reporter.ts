import type { Logger } from 'pino';
import type { LiveThread } from '../core/live-thread.js';

/**
 * A job's voice in its thread. Chat failures are logged and never fail the job: the burn goes on
 * even when the platform is unreachable. Without a thread (no transport here) it only logs.
 */
export class ThreadReporter {
  constructor(
    private readonly thread: LiveThread | undefined,
    private readonly log: Logger,
  ) {}

  status(text: string): void {
    this.thread?.status(text);
  }

  async milestone(text: string): Promise<void> {
    this.log.info({ milestone: text }, 'job milestone');
    await this.thread?.milestone(text).catch((err: unknown) => this.log.warn({ err }, 'milestone not posted'));
  }

  async finish(finalStatus: string, text: string): Promise<void> {
    this.log.info({ final: text }, 'job finished');
    await this.thread?.finish(finalStatus, text).catch((err: unknown) => this.log.warn({ err }, 'final message not posted'));
  }
}
