import type { Redis } from 'ioredis';
import { untilReplicated } from '../../redis/connect.js';

/**
 * `WAIT` for every job written on one shared connection, one WAIT for all the writes that end
 * together. WAIT blocks its connection until a replica holds that connection's writes (up to
 * `redis.replicaWaitMs`, docs/hosting.md): one WAIT per job on a connection all queues share would
 * hold each job's reply behind every earlier job's wait (100 jobs × 500 ms while no replica answers).
 * A WAIT covers every write its connection sent before it, so a caller whose write has been answered
 * joins the WAIT that goes out next, which is sent after that write: the one in flight may have been
 * sent before it, so it is not joined.
 */
export class ReplicaWait {
  #inFlight: Promise<unknown> | undefined;
  #next: Promise<boolean | undefined> | undefined;

  constructor(
    private readonly client: Pick<Redis, 'wait'>,
    private readonly ms: number,
  ) {}

  /** True once a replica holds every write this connection sent before the call; false when none said so in time. */
  held(): Promise<boolean | undefined> {
    this.#next ??= this.#send((this.#inFlight ?? Promise.resolve()).catch(() => undefined));
    return this.#next;
  }

  async #send(after: Promise<unknown>): Promise<boolean | undefined> {
    await after;
    const wait = untilReplicated(this.client, this.ms);
    // From here on, callers wait for the WAIT after this one.
    this.#next = undefined;
    this.#inFlight = wait;
    try {
      return await wait;
    } finally {
      if (this.#inFlight === wait) this.#inFlight = undefined;
    }
  }
}
