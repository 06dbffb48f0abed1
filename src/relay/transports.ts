import type { TransportSource } from '../core/ports.js';
import type { ThreadTransport } from '../core/thread.js';
import type { ThreadRelay } from './entry.js';
import { RelayedTransport } from './relayed-transport.js';

/**
 * Transports by platform, so a worker can reopen a thread it did not start. With a relay, every
 * thread is reachable: updates go to the local transport (if any) and through the relay, to the
 * process that owns the thread and to watchers (docs/console.md).
 */
export class Transports implements TransportSource {
  readonly #byPlatform = new Map<string, ThreadTransport>();
  readonly #relayed = new Map<string, ThreadTransport>();

  constructor(private readonly relay?: ThreadRelay) {}

  add(t: ThreadTransport): void {
    this.#byPlatform.set(t.platform, t);
    this.#relayed.delete(t.platform);
  }

  get(platform: string): ThreadTransport | undefined {
    const local = this.#byPlatform.get(platform);
    if (!this.relay) return local;
    if (!local) return new RelayedTransport(platform, undefined, this.relay);
    let t = this.#relayed.get(platform);
    if (!t) this.#relayed.set(platform, (t = new RelayedTransport(platform, local, this.relay)));
    return t;
  }

  /** The transport registered for `platform` in this process, without the relay. */
  local(platform: string): ThreadTransport | undefined {
    return this.#byPlatform.get(platform);
  }
}
