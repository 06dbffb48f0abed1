import type {
  LatestSnapshot,
  RefreshOptions,
  RefreshOutcome,
  StatusRefresher,
  StatusSnapshot,
  StatusSnapshotRepository,
  TasksRepository,
} from '../types.js';
import type { StatusWindow } from '../../core/ports.js';
import { UserError } from '../../core/errors.js';

/** Stored background counts in this process's memory: the demo and unit tests. */
export class MemoryStatusSnapshots implements StatusSnapshotRepository {
  readonly #byWindow = new Map<StatusWindow, StatusSnapshot[]>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async latest(window: StatusWindow): Promise<LatestSnapshot | undefined> {
    const last = this.#byWindow.get(window)?.at(-1);
    return last && { ...last, ageMs: Math.max(0, this.now().getTime() - last.at.getTime()) };
  }

  async series(window: StatusWindow, since: Date, limit = 10_000): Promise<StatusSnapshot[]> {
    return (this.#byWindow.get(window) ?? []).filter((s) => s.at >= since).slice(-limit);
  }

  async sampled(window: StatusWindow, since: Date, bucketMs: number): Promise<StatusSnapshot[]> {
    const last = new Map<number, StatusSnapshot>();
    for (const s of await this.series(window, since)) {
      const slice = Math.floor(s.at.getTime() / Math.max(1000, bucketMs));
      const held = last.get(slice);
      if (!held || held.at <= s.at) last.set(slice, s);
    }
    return [...last.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  write(s: StatusSnapshot): void {
    const list = this.#byWindow.get(s.window) ?? [];
    list.push(s);
    this.#byWindow.set(s.window, list);
  }

  prune(before: Date): void {
    for (const [w, list] of this.#byWindow) this.#byWindow.set(w, list.filter((s) => s.at >= before));
  }
}

/** A refresh in this process only: the lock is a set of windows being counted. */
export class MemoryStatusRefresher implements StatusRefresher {
  readonly #running = new Set<StatusWindow>();

  constructor(
    private readonly tasks: TasksRepository,
    private readonly snapshots: MemoryStatusSnapshots,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async refresh(window: StatusWindow, since: Date | undefined, opts: RefreshOptions): Promise<RefreshOutcome> {
    if (this.#running.has(window)) return { kind: 'busy' };
    this.#running.add(window);
    try {
      const last = await this.snapshots.latest(window);
      if (last && last.ageMs < opts.freshMs) return { kind: 'fresh' };
      const at = this.now();
      const started = performance.now();
      const counts = await withLimit(this.tasks.countByStatus(since), opts.timeLimitMs);
      const snapshot = { window, at, counts, tookMs: performance.now() - started };
      this.snapshots.write(snapshot);
      this.snapshots.prune(new Date(at.getTime() - opts.retentionMs));
      return { kind: 'refreshed', snapshot };
    } finally {
      this.#running.delete(window);
    }
  }
}

function withLimit<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UserError('timeout', `the count took longer than ${ms} ms (status.refreshTimeoutMs)`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
