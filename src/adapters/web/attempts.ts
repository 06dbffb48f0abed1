/**
 * Failed sign-ins per client address in a fixed one-minute window, in this process (docs/web.md,
 * "Signing in"). A link's token is 256 random bits, so guessing is hopeless anyway; this keeps a
 * misbehaving client from filling logs and the store with tries. Bounded: the oldest addresses go first.
 */
export class SignInAttempts {
  readonly #by = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly max = 10,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxAddresses = 10_000,
  ) {}

  /** True while `addr` may try again. */
  allowed(addr: string): boolean {
    const e = this.#by.get(addr);
    return !e || this.now() - e.start >= this.windowMs || e.count < this.max;
  }

  failed(addr: string): void {
    const at = this.now();
    const e = this.#by.get(addr);
    if (e && at - e.start < this.windowMs) e.count++;
    else {
      this.#by.delete(addr);
      this.#by.set(addr, { start: at, count: 1 });
      if (this.#by.size > this.maxAddresses) this.#by.delete(this.#by.keys().next().value as string);
    }
  }
}
