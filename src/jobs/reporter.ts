import type { Logger } from 'pino';
import type { LiveThread } from '../core/live-thread.js';

/**
 * A job's voice in its thread. Chat failures are logged and never fail the job: the burn goes on
 * even when the platform is unreachable. Without a thread (no transport here) it only logs.
 */
export class ThreadReporter {
  #posts: Promise<void> = Promise.resolve();

  constructor(
    private readonly thread: LiveThread | undefined,
    private readonly log: Logger,
  ) {}

  status(text: string): void {
    this.thread?.status(text);
  }

  /**
   * Queues a milestone line and returns at once: where the channel's post budget is busy (many
   * threads in one channel), the job goes on reading progress, which keeps its live status fresh.
   * Lines are posted in order, and all of them before the final one.
   */
  milestone(text: string): void {
    this.log.info({ milestone: text }, 'job milestone');
    const thread = this.thread;
    if (!thread) return;
    this.#posts = this.#posts.then(() => thread.milestone(text).catch((err: unknown) => this.log.warn({ err }, 'milestone not posted')));
  }

  /** Waits for the milestones queued so far (a worker that stops hands over a thread with nothing lost). */
  async drain(): Promise<void> {
    await this.#posts;
  }

  /**
   * The final status is edited in as soon as the budget allows, without waiting for milestones
   * still queued behind a busy channel; the final line goes after all of them.
   */
  async finish(finalStatus: string, text: string): Promise<void> {
    this.log.info({ final: text }, 'job finished');
    const thread = this.thread;
    if (!thread) return;
    thread.status(finalStatus);
    await Promise.all([this.#posts, thread.flush()]);
    await thread.finish(finalStatus, text).catch((err: unknown) => this.log.warn({ err }, 'final message not posted'));
  }
}
