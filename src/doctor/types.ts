/** One line of `opsline doctor`: resolves to a short detail when fine, throws with the reason when not. */
export interface Check {
  readonly name: string;
  run(): Promise<string>;
}

/** A failure a check has already put into words; shown as is. */
export class CheckFailure extends Error {}

/** The innermost reason: doctor shows the driver's own words, not the user-facing summary. */
export function rootCause(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && !(e instanceof CheckFailure) && e.cause instanceof Error) e = e.cause;
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
