/** What a stream's re-check says (routes.ts: the gate's rule, then the page's own): go on, hold, or end. */
export type StreamCheck = 'ok' | 'gone' | { readonly unchecked: string };

/** How often the open streams ask whether their jobs have ended and whether their viewers may still see them. */
export const CHECK_MS = 5_000;

/** One open live stream, as the rounds see it. */
export interface LiveStream {
  /** The session cookie's secret it was opened with: streams of one session share one check a round. */
  readonly secret: string;
  /** Its job: streams of one job share one "has it ended?" a round. */
  readonly job: string;
  /**
   * Called every round with the answers it shares: its session's check (a rejection is a check that
   * failed), and its job's last word once it has ended (asked only if called).
   */
  round(check: Promise<StreamCheck>, ended: () => Promise<string | undefined>): void;
}

/**
 * One timer for every live stream this process serves (docs/web.md, "Live updates"): every 5 s each
 * session with a stream open is asked about once (its streams get the same answer), and each job followed
 * is asked whether it has ended once, however many pages follow it. A stream that joins is checked at
 * the next round, within 5 s.
 */
export class LiveChecks {
  readonly #streams = new Set<LiveStream>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    /** One check per distinct secret, asked together (the gate's rule, then the page's own). */
    private readonly check: (secrets: readonly string[]) => ReadonlyMap<string, Promise<StreamCheck>>,
    private readonly ended: (job: string) => Promise<string | undefined>,
    private readonly everyMs = CHECK_MS,
  ) {}

  /** Adds a stream to the rounds; returns what takes it out (idempotent). */
  join(s: LiveStream): () => void {
    this.#streams.add(s);
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#round(), this.everyMs);
      this.#timer.unref();
    }
    return () => {
      this.#streams.delete(s);
      if (this.#streams.size === 0 && this.#timer) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    };
  }

  /** Streams in the rounds now (for tests). */
  get size(): number {
    return this.#streams.size;
  }

  #round(): void {
    const streams = [...this.#streams];
    const checks = this.check([...new Set(streams.map((s) => s.secret))]);
    const ended = new Map<string, Promise<string | undefined>>();
    const endedOf = (job: string) => {
      let e = ended.get(job);
      if (!e) ended.set(job, (e = this.ended(job)));
      return e;
    };
    for (const s of streams) s.round(checks.get(s.secret) ?? Promise.resolve('gone'), () => endedOf(s.job));
  }
}
