import type { Logger } from 'pino';
import type { BurnService } from '../services/burns.js';
import { burnLane, type BurnProcessor } from '../services/queue/types.js';

/**
 * Runs burn workers for every drive the agents report. Drives live in each agent's own config, so
 * the bot discovers them: at start, whenever an agent comes up, and every `intervalMs`.
 */
export class BurnWorkers {
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  // A stop may come while the first discovery still waits for an agent (a stop signal during start-up).
  #stopped = false;

  constructor(
    private readonly burns: BurnService,
    private readonly processor: BurnProcessor,
    private readonly log: Logger,
    private readonly intervalMs = 30_000,
  ) {}

  async start(): Promise<void> {
    await this.discover();
    if (this.#stopped) return;
    this.#unsubscribe = this.burns.devices.onStateChange((_agent, state) => {
      if (state === 'up') void this.discover();
    });
    this.#timer = setInterval(() => void this.discover(), this.intervalMs);
    this.#timer.unref();
  }

  async discover(): Promise<void> {
    const agents = await this.burns.drives();
    if (this.#stopped) return;
    for (const a of agents) {
      if (a.error) {
        this.log.debug({ agent: a.agent, error: a.error }, 'agent not answering; its workers start when it does');
        continue;
      }
      this.burns.queue.work(
        a.drives.map((d) => burnLane(a.agent, d.name)),
        this.processor,
      );
    }
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#unsubscribe?.();
  }
}
