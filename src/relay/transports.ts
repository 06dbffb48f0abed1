import type { TransportSource } from '../core/ports.js';
import type { ThreadRef, ThreadTransport } from '../core/thread.js';
import { outputEntries, type ThreadRelay } from './entry.js';
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

  /**
   * A job's numbered output lines, through the relay alone (no chat transport shows them one by one):
   * its web page appends them live (docs/web.md, "Live updates"). Nothing without a relay.
   */
  output(ref: ThreadRef, lines: readonly { readonly n: number; readonly text: string }[]): void {
    if (!this.relay) return;
    for (const chunk of outputEntries(lines)) this.relay.publish(ref, { op: 'output', lines: chunk });
  }

  /** The transport registered for `platform` in this process, without the relay. */
  local(platform: string): ThreadTransport | undefined {
    return this.#byPlatform.get(platform);
  }
}
