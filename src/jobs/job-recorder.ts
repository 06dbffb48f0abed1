import type { Logger } from 'pino';
import { MAX_LINES, type JobLog, type JobOutcome, type JobStart } from '../services/job-log/types.js';

/** Lines written in one INSERT at most, and how long a line waits for others to join it. */
const BATCH = 200;
const WAIT_MS = 250;

/**
 * A job's durable record (docs/web.md, "Job history and output"): the worker writes its milestones and
 * output lines as they come, numbered, in batches, and its end. A store that fails is logged and never
 * fails the job; the chat thread goes on either way.
 */
export class JobRecorder {
  readonly #buf: string[] = [];
  #next: Promise<number>;
  #writes: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #count = 0;
  #dropped = 0;

  constructor(
    private readonly store: JobLog,
    private readonly id: string,
    start: JobStart,
    private readonly log: Logger,
  ) {
    this.#next = store.begin(start).catch((err: unknown) => {
      log.warn({ err }, 'job history not recorded');
      return 1;
    });
  }

  line(text: string): void {
    if (this.#count >= MAX_LINES) {
      this.#dropped++;
      return;
    }
    this.#count++;
    this.#buf.push(text);
    if (this.#buf.length >= BATCH) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), WAIT_MS);
  }

  /** Writes what is buffered; resolves once every batch so far is written (or given up). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const lines = this.#buf.splice(0);
    if (lines.length > 0)
      this.#writes = this.#writes.then(async () => {
        const first = await this.#next;
        this.#next = Promise.resolve(first + lines.length);
        await this.store.append(this.id, lines.map((text, i) => ({ n: first + i, text }))).catch((err: unknown) => this.log.warn({ err, lines: lines.length }, 'job output not recorded'));
      });
    return this.#writes;
  }

  async end(outcome: JobOutcome, result: string): Promise<void> {
    if (this.#dropped) this.line(`(${this.#dropped} more lines not kept)`);
    await this.flush();
    await this.store.end(this.id, { outcome, result, endedAt: new Date() }).catch((err: unknown) => this.log.warn({ err }, 'job end not recorded'));
  }
}
