import fc from 'fast-check';
import { expect } from 'vitest';

export interface FuzzResponse {
  readonly status: number;
  readonly body: string;
}

/** No platform request may hang: Slack and Discord give up after 3 s; this only catches a request never answered. */
const HANG_MS = 15_000;

/** POSTs raw bytes with the given headers; a request the server never answers fails the property. */
export async function post(url: string, body: string | Buffer, headers: Record<string, string>): Promise<FuzzResponse> {
  const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(HANG_MS) });
  return { status: res.status, body: await res.text() };
}

/**
 * The property every platform endpoint keeps (issue 15, CONVENTIONS.md "At the edges"): a 4xx, or
 * a 2xx whose answer is not the generic "something went wrong" (a crash in disguise). Never a 5xx.
 */
export function expectHandled(r: FuzzResponse, input: string): void {
  expect(r.status, `${r.status} ${r.body.slice(0, 200)} for ${input.slice(0, 300)}`).toBeLessThan(500);
  expect(r.body, input.slice(0, 300)).not.toMatch(/something went wrong/);
}

/**
 * Runs `check` on `n` samples of `arb`, `concurrency` at a time: the HTTP surfaces answer some
 * inputs only after Bolt's 3 s unhandled-request timeout, which fast-check's one-at-a-time runner
 * would turn into minutes. No shrinking: the failing inputs are reported shortest first, with the
 * seed (OPSLINE_FUZZ_SEED replays it).
 */
export async function fuzzConcurrently<T>(arb: fc.Arbitrary<T>, n: number, check: (input: T) => Promise<void>, concurrency = 16): Promise<void> {
  const seed = Number(process.env.OPSLINE_FUZZ_SEED ?? Date.now() % 2 ** 31);
  const inputs = fc.sample(arb, { numRuns: n, seed });
  const failures: { input: string; error: string }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < inputs.length) {
        const input = inputs[next++]!;
        try {
          await check(input);
        } catch (e) {
          failures.push({ input: typeof input === 'string' ? input : JSON.stringify(input), error: e instanceof Error ? e.message : String(e) });
        }
      }
    }),
  );
  failures.sort((a, b) => a.input.length - b.input.length);
  const shown = failures.slice(0, 5).map((f) => `  ${f.input.slice(0, 400)}\n    → ${f.error.slice(0, 300)}`);
  expect(failures.length, `seed ${seed}: ${failures.length} of ${n} inputs failed; the shortest:\n${shown.join('\n')}`).toBe(0);
}
