import type { BurnResult } from '../../agent/protocol.js';
import { DeviceError } from './errors.js';
import type { JobEvent, JobStream } from './types.js';

/** A JobStream fed by the connection; events queue for iterators until read, and end after done/error. */
export class JobEventStream implements JobStream {
  readonly result: Promise<BurnResult>;
  private listeners = new Set<(e: JobEvent) => void>();
  private queue: JobEvent[] = [];
  private waiting: ((r: IteratorResult<JobEvent>) => void)[] = [];
  private ended = false;
  private settle!: { resolve: (r: BurnResult) => void; reject: (e: Error) => void };

  constructor(
    readonly agent: string,
    readonly jobId: string,
    public attached: boolean,
    private readonly onClose: () => void,
  ) {
    this.result = new Promise<BurnResult>((resolve, reject) => (this.settle = { resolve, reject }));
    // A caller that only iterates must not get an unhandled rejection from `result`.
    this.result.catch(() => undefined);
  }

  get closed(): boolean {
    return this.ended;
  }

  push(e: JobEvent): void {
    if (this.ended) return;
    for (const l of this.listeners) l(e);
    const w = this.waiting.shift();
    if (w) w({ value: e, done: false });
    else this.queue.push(e);
    if (e.type === 'done') this.settle.resolve(e.result);
    if (e.type === 'error') this.settle.reject(new DeviceError(e.code === 'not_found' ? 'not_found' : 'unavailable', e.message));
    if (e.type === 'done' || e.type === 'error') this.end();
  }

  on(listener: (e: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.ended) return;
    this.settle.reject(new DeviceError('unavailable', `stopped watching job ${this.jobId}`));
    this.end();
  }

  private end(): void {
    this.ended = true;
    for (const w of this.waiting.splice(0)) w({ value: undefined, done: true });
    this.listeners.clear();
    this.onClose();
  }

  [Symbol.asyncIterator](): AsyncIterator<JobEvent> {
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
