import { DeviceError } from './errors.js';
import type { AnyResult, JobEvent, JobStream } from './types.js';

/** What the connection pushes: it routes by jobId and does not know the job's kind. */
export interface EventSink {
  push(e: JobEvent<AnyResult>): void;
  close(): void;
}

/**
 * A JobStream fed by the connection; events queue for iterators until read, and end after
 * done/error. `isResult` tells this job kind's result from the other kind's: a `done` of the wrong
 * kind ends the stream with an error instead of handing a run's result to a burn (or back).
 */
export class JobEventStream<R extends AnyResult = AnyResult> implements JobStream<R>, EventSink {
  readonly result: Promise<R>;
  private listeners = new Set<(e: JobEvent<R>) => void>();
  private queue: JobEvent<R>[] = [];
  private waiting: ((r: IteratorResult<JobEvent<R>>) => void)[] = [];
  private ended = false;
  private settle!: { resolve: (r: R) => void; reject: (e: Error) => void };

  constructor(
    readonly agent: string,
    readonly jobId: string,
    public attached: boolean,
    private readonly isResult: (r: AnyResult) => r is R,
    private readonly onClose: () => void,
  ) {
    this.result = new Promise<R>((resolve, reject) => (this.settle = { resolve, reject }));
    // A caller that only iterates must not get an unhandled rejection from `result`.
    this.result.catch(() => undefined);
  }

  get closed(): boolean {
    return this.ended;
  }

  push(event: JobEvent<AnyResult>): void {
    if (this.ended) return;
    const e = this.typed(event);
    for (const l of this.listeners) l(e);
    const w = this.waiting.shift();
    if (w) w({ value: e, done: false });
    else this.queue.push(e);
    if (e.type === 'done') this.settle.resolve(e.result);
    if (e.type === 'error') this.settle.reject(new DeviceError(e.code === 'unknown_job' ? 'not_found' : 'unavailable', e.message, e.code));
    if (e.type === 'done' || e.type === 'error') this.end();
  }

  on(listener: (e: JobEvent<R>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.ended) return;
    this.settle.reject(new DeviceError('unavailable', `stopped watching job ${this.jobId}`));
    this.end();
  }

  private typed(e: JobEvent<AnyResult>): JobEvent<R> {
    if (e.type !== 'done') return e;
    if (this.isResult(e.result)) return { ...e, result: e.result };
    const kind = 'kind' in e.result ? 'run' : 'burn';
    return { type: 'error', jobId: e.jobId, code: 'bad_result', message: `agent ${this.agent} sent a ${kind} result for job ${this.jobId}` };
  }

  private end(): void {
    this.ended = true;
    for (const w of this.waiting.splice(0)) w({ value: undefined, done: true });
    this.listeners.clear();
    this.onClose();
  }

  [Symbol.asyncIterator](): AsyncIterator<JobEvent<R>> {
    return {
      next: () => {
        const e = this.queue.shift();
        if (e) return Promise.resolve({ value: e, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiting.push(resolve));
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
