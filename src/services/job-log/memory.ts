import type { JobEnd, JobLine, JobLog, JobRecord, JobStart } from './types.js';
import { cut } from './types.js';

/** Job history and output in this process (the demo, a single console): gone with it. */
export class MemoryJobLog implements JobLog {
  readonly #jobs = new Map<string, JobRecord>();
  readonly #lines = new Map<string, Map<number, string>>();

  async begin(job: JobStart): Promise<number> {
    const had = this.#jobs.get(job.id);
    this.#jobs.set(job.id, had ? { ...had, summary: job.summary } : { ...job });
    const lines = this.#lines.get(job.id);
    return lines && lines.size ? Math.max(...lines.keys()) + 1 : 1;
  }

  async append(id: string, lines: readonly JobLine[]): Promise<void> {
    const m = this.#lines.get(id) ?? new Map<number, string>();
    this.#lines.set(id, m);
    for (const l of lines) if (!m.has(l.n)) m.set(l.n, cut(l.text));
  }

  async end(id: string, end: JobEnd): Promise<void> {
    const had = this.#jobs.get(id);
    // The first end stays, as in MySQL (INSERT IGNORE).
    if (had && had.endedAt === undefined) this.#jobs.set(id, { ...had, outcome: end.outcome, ok: end.outcome === 'ok', result: cut(end.result), endedAt: end.endedAt });
  }

  async get(id: string): Promise<JobRecord | undefined> {
    return this.#jobs.get(id);
  }

  async lines(id: string, after: number, limit: number): Promise<JobLine[]> {
    const m = this.#lines.get(id);
    if (!m) return [];
    return [...m]
      .filter(([n]) => n > after)
      .sort((a, b) => a[0] - b[0])
      .slice(0, limit)
      .map(([n, text]) => ({ n, text }));
  }

  async history(limit: number): Promise<JobRecord[]> {
    return [...this.#jobs.values()]
      .filter((j) => j.endedAt !== undefined)
      .sort((a, b) => (b.endedAt?.getTime() ?? 0) - (a.endedAt?.getTime() ?? 0))
      .slice(0, limit);
  }

  async prune(before: Date): Promise<number> {
    let n = 0;
    for (const [id, j] of this.#jobs)
      if (j.endedAt && j.endedAt < before) {
        this.#jobs.delete(id);
        this.#lines.delete(id);
        n++;
      }
    return n;
  }
}
