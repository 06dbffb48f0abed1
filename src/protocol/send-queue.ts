/**
 * zeromq.js allows one pending send per socket (another one fails with EBUSY), while replies and job
 * events are produced concurrently. Sends are chained, but when nothing is pending the frame goes
 * out at once: the common request/reply case pays no extra turn. A frame whose sender gave up while
 * it waited (`wanted` false when its turn comes) is dropped, never sent late.
 */
export class SendQueue<T> {
  private tail: Promise<void> = Promise.resolve();
  private inFlight = 0;

  constructor(private readonly sendNow: (frames: T) => Promise<void>) {}

  send(frames: T, wanted: () => boolean = () => true): Promise<void> {
    const go = (): Promise<void> => {
      if (!wanted()) return Promise.resolve();
      try {
        return this.sendNow(frames);
      } catch (err) {
        return Promise.reject(err as Error);
      }
    };
    const sent = this.inFlight === 0 ? go() : this.tail.then(go);
    this.inFlight++;
    const done = sent.finally(() => this.inFlight--);
    this.tail = done.catch(() => undefined);
    return done;
  }

  /** Resolves when everything queued so far has been handed to libzmq. */
  idle(): Promise<void> {
    return this.tail;
  }
}
