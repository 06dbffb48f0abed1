import type { Logger } from 'pino';
import type { LiveThread } from '../core/live-thread.js';
import type { JobRecorder } from './job-recorder.js';
import type { JobOutcome } from '../services/job-log/types.js';
import type { FinalLine, Settled } from '../services/queue/jobs.js';
import { finalText, settle } from './final-line.js';

/**
 * A job's voice in its thread. Chat failures are logged and never fail the job: the burn goes on
 * even when the platform is unreachable. Without a thread (no transport here) it only logs. With a
 * recorder, milestones, output lines and the end also go to the job's durable record (the web view).
 * With the queue's end marks (`final`), the end is marked as decided, as being posted and as told, so a
 * worker that takes the job over tells it once (src/jobs/final-line.ts).
 */
export class ThreadReporter<R = unknown> {
  #posts: Promise<void> = Promise.resolve();
  #ended = false;

  constructor(
    private readonly thread: LiveThread | undefined,
    private readonly log: Logger,
    private readonly record?: JobRecorder,
    /** The job's web page, when the web view has a public URL: the final line links to it. */
    private readonly page?: string,
    private readonly final?: FinalLine<R>,
  ) {}

  /** An output line: recorded for the job page, not posted (the thread shows output in its status and chunks). */
  output(line: string): void {
    this.record?.line(line);
  }

  status(text: string): void {
    this.thread?.status(text);
  }

  /**
   * Queues a milestone line and returns at once: where the channel's post budget is busy (many
   * threads in one channel), the job goes on reading progress, which keeps its live status fresh.
   * Lines are posted in order, and all of them before the final one. `recorded: false` posts a line the
   * record already has in another form (a deploy's log in chunks).
   */
  milestone(text: string, recorded = true): void {
    this.log.info({ milestone: text }, 'job milestone');
    if (recorded) this.record?.line(text);
    const thread = this.thread;
    if (!thread) return;
    this.#posts = this.#posts.then(() => thread.milestone(text).catch((err: unknown) => this.log.warn({ err }, 'milestone not posted')));
  }

  /** Waits for the milestones queued so far (a worker that stops hands over a thread with nothing lost). */
  async drain(): Promise<void> {
    await Promise.all([this.#posts, this.record?.flush()]);
  }

  /** True once finish() was called: the job's end is told (a processor's last-resort catch does not tell it twice). */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Tells the job's end and settles it: resolves with the result, or rejects (UnrecoverableError) with
   * the error, as `settled` says, so the queue records the end the thread was told. The final status is
   * edited in as soon as the budget allows, without waiting for milestones still queued behind a busy
   * channel; the final line goes after all of them. `outcome` is what the record keeps (docs/web.md,
   * "Job history and output"), as the processor knows it, not as the words say it.
   */
  async finish(outcome: JobOutcome, finalStatus: string, text: string, settled: Settled<R>): Promise<R> {
    this.#ended = true;
    this.log.info({ final: text, outcome }, 'job finished');
    // Marked before anything of the end is told: a worker that takes the job over from here tells this end, not one of its own.
    await this.final?.decided({ outcome, settled, status: finalStatus, text });
    await this.record?.end(outcome, text);
    const thread = this.thread;
    if (thread) {
      thread.status(finalStatus);
      await Promise.all([this.#posts, thread.flush()]);
      // Only from here on may the line be in the thread without its mark saying so (the status is edited in already).
      await this.final?.posting();
      await thread.finish(finalStatus, finalText(text, this.page)).catch((err: unknown) => this.log.warn({ err }, 'final message not posted'));
    }
    await this.final?.told();
    return settle(settled);
  }
}
