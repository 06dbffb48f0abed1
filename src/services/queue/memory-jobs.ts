import type { JobKind, JobProcessor, JobQueue, JobState, JobView } from './jobs.js';

interface Entry<D, R, P> {
  id: string;
  data: D;
  state: JobState;
  progress?: P;
  result?: R;
  error?: string;
  startedAt?: number;
  endedAt?: number;
}

/** The in-process queue for the demo and unit tests: the same contract, one job at a time per lane unless told more. */
export class MemoryJobQueue<D, R, P> implements JobQueue<D, R, P> {
  readonly #jobs = new Map<string, Entry<D, R, P>>();
  readonly #cancelled = new Set<string>();
  readonly #byLane = new Map<string, Entry<D, R, P>[]>();
  readonly #processors = new Map<string, { run: JobProcessor<D, R, P>; concurrency: number }>();
  /** Jobs running now, per lane. */
  readonly #running = new Map<string, Set<Promise<void>>>();
  #closed = false;

  constructor(
    private readonly kind: JobKind<D>,
    /** Jobs of a lane that run at once (default 1). */
    private readonly laneConcurrency: (lane: string) => number = () => 1,
  ) {}

  async add(id: string, data: D): Promise<{ position: number }> {
    const key = this.kind.lane(data);
    const entry: Entry<D, R, P> = { id, data, state: 'queued' };
    this.#jobs.set(id, entry);
    const line = this.#byLane.get(key) ?? [];
    line.push(entry);
    this.#byLane.set(key, line);
    const position = line.filter((e) => e.state === 'queued' || e.state === 'running').length - 1;
    this.#pump(key);
    return { position };
  }

  async get(id: string): Promise<JobView<D, R, P> | undefined> {
    const e = this.#jobs.get(id);
    return e && this.#view(e);
  }

  async list(): Promise<JobView<D, R, P>[]> {
    return [...this.#byLane.keys()].sort().flatMap((k) =>
      (this.#byLane.get(k) ?? []).filter((e) => e.state === 'queued' || e.state === 'running').map((e) => this.#view(e)),
    );
  }

  async requestCancel(id: string): Promise<void> {
    this.#cancelled.add(id);
  }

  async cancelRequested(id: string): Promise<boolean> {
    return this.#cancelled.has(id);
  }

  async removeQueued(id: string): Promise<'removed' | JobState | 'unknown'> {
    const e = this.#jobs.get(id);
    if (!e) return 'unknown';
    if (e.state !== 'queued') return e.state;
    const key = this.kind.lane(e.data);
    this.#byLane.set(key, (this.#byLane.get(key) ?? []).filter((x) => x !== e));
    this.#jobs.delete(id);
    return 'removed';
  }

  async history(limit: number): Promise<JobView<D, R, P>[]> {
    // Newest added first, so jobs that ended in the same millisecond keep their order (the sort is stable).
    const ended = [...this.#jobs.values()].reverse().filter((e) => e.state === 'finished' || e.state === 'failed');
    return ended.sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0)).slice(0, limit).map((e) => this.#view(e));
  }

  async workers(data: D): Promise<number> {
    return this.#processors.has(this.kind.lane(data)) ? 1 : 0;
  }

  work(lanes: readonly string[], processor: JobProcessor<D, R, P>): void {
    for (const key of lanes) {
      if (this.#processors.has(key)) continue;
      this.#processors.set(key, { run: processor, concurrency: this.laneConcurrency(key) });
      this.#pump(key);
    }
  }

  /** Waits for running jobs (the demo lets a burn finish before it exits). */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.#running.values()].flatMap((s) => [...s]);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #pump(key: string): void {
    const processor = this.#processors.get(key);
    const running = this.#running.get(key) ?? new Set<Promise<void>>();
    if (!processor || running.size >= processor.concurrency || this.#closed) return;
    const next = (this.#byLane.get(key) ?? []).find((e) => e.state === 'queued');
    if (!next) return;
    next.state = 'running';
    next.startedAt = Date.now();
    const run = processor.run(next.id, next.data, (p) => (next.progress = p)).then(
      (result) => {
        next.state = 'finished';
        next.result = result;
        next.endedAt = Date.now();
      },
      (err: unknown) => {
        next.state = 'failed';
        next.error = (err as Error).message;
        next.endedAt = Date.now();
      },
    );
    const done: Promise<void> = run.finally(() => {
      running.delete(done);
      this.#pump(key);
    });
    running.add(done);
    this.#running.set(key, running);
    // A lane that may run more than one picks up the next job at once.
    this.#pump(key);
  }

  #view(e: Entry<D, R, P>): JobView<D, R, P> {
    const line = this.#byLane.get(this.kind.lane(e.data)) ?? [];
    const active = line.filter((x) => x.state === 'queued' || x.state === 'running');
    return {
      id: e.id,
      data: e.data,
      state: e.state,
      ...(e.state === 'queued' ? { position: active.indexOf(e) } : {}),
      ...(e.progress ? { progress: e.progress } : {}),
      ...(e.result ? { result: e.result } : {}),
      ...(e.error ? { error: e.error } : {}),
      ...(e.startedAt !== undefined ? { startedAt: e.startedAt } : {}),
      ...(e.endedAt !== undefined ? { endedAt: e.endedAt } : {}),
    };
  }
}

