import type { Redis } from 'ioredis';

/** How long one CLIENT LIST answers for every lane of a process. */
const FRESH_MS = 2_000;

/**
 * How many BullMQ workers listen on each queue, read from one `CLIENT LIST` (a worker's blocking
 * connection is named `<prefix>:<base64 queue name>`, with `:w:<name>` when named: BullMQ's own
 * getWorkersCount reads the same). CLIENT LIST walks every connection Redis has and Redis does
 * nothing else meanwhile (10–30 ms at 1,900 connections); every /burn and /deploy asks (the "no
 * worker" note), so 100 commands at once each sending one held Redis for seconds and other commands
 * past their 1 s bound (docs/testing.md, "fleet"). Here concurrent callers share one CLIENT LIST, and
 * its counts answer for FRESH_MS. A lane counted without a worker is asked again (a worker just
 * started is seen at once); a worker that just stopped may still be counted for FRESH_MS, which
 * only leaves out a note: the job is queued either way.
 */
export class WorkerCensus {
  #counts = new Map<string, number>();
  #at = -Infinity;
  #reading: Promise<Map<string, number>> | undefined;

  constructor(
    private readonly redis: Pick<Redis, 'client'>,
    private readonly prefix: string,
    private readonly freshMs = FRESH_MS,
  ) {}

  async count(queue: string): Promise<number> {
    const name = Buffer.from(queue).toString('base64');
    const cached = this.#counts.get(name) ?? 0;
    if (cached > 0 && Date.now() - this.#at < this.freshMs) return cached;
    return (await this.#read()).get(name) ?? 0;
  }

  #read(): Promise<Map<string, number>> {
    this.#reading ??= this.#list().finally(() => (this.#reading = undefined));
    return this.#reading;
  }

  async #list(): Promise<Map<string, number>> {
    const raw = String(await this.redis.client('LIST'));
    const counts = new Map<string, number>();
    const ours = `${this.prefix}:`;
    for (const line of raw.split('\n')) {
      const name = /(?:^| )name=(\S+)/.exec(line)?.[1];
      if (!name?.startsWith(ours)) continue;
      // `<base64 queue name>` or `<base64 queue name>:w:<worker name>`: base64 has no colon.
      const [queue = '', ...rest] = name.slice(ours.length).split(':');
      if (rest.length > 0 && rest[0] !== 'w') continue;
      counts.set(queue, (counts.get(queue) ?? 0) + 1);
    }
    this.#counts = counts;
    this.#at = Date.now();
    return counts;
  }
}
