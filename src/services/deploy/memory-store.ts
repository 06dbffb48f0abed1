import type { DeployStore, LastDeploy, LockHolder } from './types.js';

/** Locks and history in this process: the demo and unit tests. */
export class MemoryDeployStore implements DeployStore {
  readonly #locks = new Map<string, LockHolder>();
  readonly #last = new Map<string, LastDeploy>();
  readonly #started = new Set<string>();

  async lock(target: string, holder: LockHolder): Promise<{ ok: true } | { ok: false; holder: LockHolder }> {
    const held = this.#locks.get(target);
    if (held) return { ok: false, holder: held };
    this.#locks.set(target, holder);
    return { ok: true };
  }

  async holder(target: string): Promise<LockHolder | undefined> {
    return this.#locks.get(target);
  }

  async release(target: string, expected: LockHolder): Promise<boolean> {
    const held = this.#locks.get(target);
    if (!held || JSON.stringify(held) !== JSON.stringify(expected)) return false;
    this.#locks.delete(target);
    return true;
  }

  async setLast(target: string, last: LastDeploy): Promise<void> {
    this.#last.set(target, last);
  }

  async last(target: string): Promise<LastDeploy | undefined> {
    return this.#last.get(target);
  }

  async markStarted(jobId: string): Promise<boolean> {
    if (this.#started.has(jobId)) return false;
    this.#started.add(jobId);
    return true;
  }

  async close(): Promise<void> {}
}
