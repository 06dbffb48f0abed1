import type { AnswerMessage } from '../../protocol/index.js';

interface Pending {
  resolve: (m: AnswerMessage) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** Requests in flight by id, each with its own deadline; whatever happens first settles it, once. */
export class PendingRequests {
  private readonly pending = new Map<string, Pending>();
  private seq = 0;

  /** A fresh id and a promise for its answer; `onTimeout` builds the error if the deadline passes. */
  add(timeoutMs: number, onTimeout: () => Error): { id: string; answer: Promise<AnswerMessage> } {
    const id = `${++this.seq}`;
    const answer = new Promise<AnswerMessage>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(id, onTimeout()), Math.max(1, timeoutMs));
      this.pending.set(id, { resolve, reject, timer });
    });
    return { id, answer };
  }

  /** True while `id` waits for its answer (not yet answered, failed or timed out). */
  has(id: string): boolean {
    return this.pending.has(id);
  }

  settle(id: string, msg: AnswerMessage): void {
    const p = this.take(id);
    p?.resolve(msg);
  }

  fail(id: string, err: Error): void {
    const p = this.take(id);
    p?.reject(err);
  }

  failAll(err: () => Error): void {
    for (const id of [...this.pending.keys()]) this.fail(id, err());
  }

  private take(id: string): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.pending.delete(id);
    return p;
  }
}
