import type { Bindings, Logger } from 'pino';

const LEVELS: ReadonlySet<string> = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const noop = (): void => {};

/**
 * `parent.child(bindings)`, made when something first logs through it at an enabled level (or
 * reaches for anything else on it). pino serialises and redacts a child's bindings when the child
 * is made, which cost about 15 µs per child with opsline's redact paths, and most invocations log
 * nothing at `info`: each had two children on the Slack path (docs/testing.md, "Per-command cost").
 * Every line still carries the bindings, redacted as before; calls at a disabled level do nothing.
 */
export function lazyChild(parent: Logger, bindings: Bindings): Logger {
  let child: Logger | undefined;
  const real = (): Logger => (child ??= parent.child(bindings));
  return new Proxy(parent, {
    get(_target, key) {
      if (child === undefined && typeof key === 'string') {
        if (LEVELS.has(key) && !parent.isLevelEnabled(key)) return noop;
        if (key === 'isLevelEnabled') return parent.isLevelEnabled.bind(parent);
        if (key === 'level') return parent.level;
      }
      const l = real();
      const v: unknown = Reflect.get(l, key, l);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(l) : v;
    },
    set(_target, key, value) {
      return Reflect.set(real(), key, value);
    },
  });
}
