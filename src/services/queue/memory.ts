import type { Progress } from '../devices/types.js';
import type { BurnJobData, BurnJobState, BurnJobView, BurnProcessor, BurnQueue } from './types.js';

interface Entry {
  id: string;
  data: BurnJobData;
  state: BurnJobState;
  progress?: Progress;
  result?: BurnJobView['result'];
  error?: string;
}

/** The in-process queue for the demo and unit tests: the same contract, one job at a time per drive. */
export class MemoryBurnQueue implements BurnQueue {
  readonly #jobs = new Map<string, Entry>();
  readonly #byDrive = new Map<string, Entry[]>();
  readonly #processors = new Map<string, BurnProcessor>();
  readonly #running = new Map<string, Promise<void>>();
  #closed = false;

  async add(id: string, data: BurnJobData): Promise<{ position: number }> {
    const key = driveKey(data.agent, data.drive);
    const entry: Entry = { id, data, state: 'queued' };
    this.#jobs.set(id, entry);
    const line = this.#byDrive.get(key) ?? [];
    line.push(entry);
    this.#byDrive.set(key, line);
    const position = line.filter((e) => e.state === 'queued' || e.state === 'running').length - 1;
    this.#pump(key);
    return { position };
  }

  async get(id: string): Promise<BurnJobView | undefined> {
    const e = this.#jobs.get(id);
    return e && this.#view(e);
  }

  async list(): Promise<BurnJobView[]> {
    return [...this.#byDrive.keys()].sort().flatMap((k) =>
      (this.#byDrive.get(k) ?? []).filter((e) => e.state === 'queued' || e.state === 'running').map((e) => this.#view(e)),
    );
  }

  async removeQueued(id: string): Promise<'removed' | BurnJobState | 'unknown'> {
    const e = this.#jobs.get(id);
    if (!e) return 'unknown';
    if (e.state !== 'queued') return e.state;
    const key = driveKey(e.data.agent, e.data.drive);
    this.#byDrive.set(key, (this.#byDrive.get(key) ?? []).filter((x) => x !== e));
    this.#jobs.delete(id);
    return 'removed';
  }

  work(drives: readonly { agent: string; drive: string }[], processor: BurnProcessor): void {
    for (const d of drives) {
      const key = driveKey(d.agent, d.drive);
      if (this.#processors.has(key)) continue;
      this.#processors.set(key, processor);
      this.#pump(key);
    }
  }

  /** Waits for running jobs (the demo lets a burn finish before it exits). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running.values());
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #pump(key: string): void {
    const processor = this.#processors.get(key);
    if (!processor || this.#running.has(key) || this.#closed) return;
    const next = (this.#byDrive.get(key) ?? []).find((e) => e.state === 'queued');
    if (!next) return;
    next.state = 'running';
    const run = processor(next.id, next.data, (p) => (next.progress = p)).then(
      (result) => {
        next.state = 'finished';
        next.result = result;
      },
      (err: unknown) => {
        next.state = 'failed';
        next.error = (err as Error).message;
      },
    );
    this.#running.set(
      key,
      run.finally(() => {
        this.#running.delete(key);
        this.#pump(key);
      }),
    );
  }

  #view(e: Entry): BurnJobView {
    const line = this.#byDrive.get(driveKey(e.data.agent, e.data.drive)) ?? [];
    const active = line.filter((x) => x.state === 'queued' || x.state === 'running');
    return {
      id: e.id,
      data: e.data,
      state: e.state,
      ...(e.state === 'queued' ? { position: active.indexOf(e) } : {}),
      ...(e.progress ? { progress: e.progress } : {}),
      ...(e.result ? { result: e.result } : {}),
      ...(e.error ? { error: e.error } : {}),
    };
  }
}

function driveKey(agent: string, drive: string): string {
  return `${agent}/${drive}`;
}
