/** One line of `opsline doctor`: resolves to a short detail when fine, throws with the reason when not. */
export interface Check {
  readonly name: string;
  /** What it talks to (an address, a path): named when the check gets no answer in time. */
  readonly target?: string;
  /** The likely fix when the check gets no answer in time. */
  readonly silentFix?: string;
  run(): Promise<string>;
}

/** `tcp://10.0.0.5:5555: no answer within 10000 ms; <fix>`. */
export function noAnswer(c: Check, ms: number): string {
  return `${c.target ? `${c.target}: ` : ''}no answer within ${ms} ms${c.silentFix ? `; ${c.silentFix}` : ''}`;
}

/**
 * A failure a check has already put into words; shown as is. Its code is the catalogue's
 * `check_failed` (docs/errors.md); it is not an OperatorError because the agent's doctor uses it too,
 * and the agent imports nothing of core (docs/architecture.md, "Layers").
 */
export class CheckFailure extends Error {
  readonly code = 'check_failed' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CheckFailure';
  }
}

/** The innermost reason: doctor shows the driver's own words, not the user-facing summary. */
export function rootCause(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && !(e instanceof CheckFailure) && e.cause instanceof Error) e = e.cause;
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
