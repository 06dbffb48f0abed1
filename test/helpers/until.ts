export interface UntilOptions {
  /** What is awaited, for the error (the probe's own source by default); a function is asked only on timeout, say to list what did happen. */
  readonly what?: string | (() => string | Promise<string>);
  /** Only bounds a hang: a test waits for the event itself, never for a span of time. */
  readonly timeoutMs?: number;
  /** Time between two asks; more for a probe that costs something (a process, a query). */
  readonly everyMs?: number;
}

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** Asks `probe` (sync or async) again until it returns something truthy, and returns that. */
export async function until<T>(probe: () => T | Promise<T>, opts: UntilOptions = {}): Promise<Truthy<T>> {
  const { what = String(probe), timeoutMs = 30_000, everyMs = 20 } = opts;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as Truthy<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : await what()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
