import type { Config } from '../../config/schema.js';
import type { Services } from '../../app/services.js';

/** Candidate values for one completion source (`ArgSpec.autocomplete`), e.g. image names or deploy targets. */
export type Completer = (typed: string) => Promise<readonly string[]> | readonly string[];
export type Completers = Readonly<Record<string, Completer>>;

/**
 * The sources the command definitions name: deploy targets from config, image names from every
 * device agent (an agent that does not answer just contributes none; the caller bounds the wait).
 */
export function builtInCompleters(config: Config, services: Services): Record<string, Completer> {
  return {
    targets: () => (config.deploy?.targets ?? []).map((t) => t.name),
    images: cached(5000, async () => ((await services.burns?.images()) ?? []).flatMap((a) => a.images.map((i) => i.name))),
  };
}

/** Every keystroke asks for suggestions; the agents are asked at most once per `ms`. */
function cached(ms: number, load: () => Promise<readonly string[]>): Completer {
  let value: { at: number; names: Promise<readonly string[]> } | undefined;
  return () => {
    if (!value || Date.now() - value.at > ms) {
      const names = load();
      value = { at: Date.now(), names };
      names.catch(() => (value = undefined));
    }
    return value.names;
  };
}

/** Case-insensitive: names starting with the typed text first, then names containing it; at most `max`. */
export function rank(candidates: readonly string[], typed: string, max = 25): string[] {
  const t = typed.toLowerCase();
  const unique = [...new Set(candidates)].filter((c) => c.length > 0 && c.length <= 100);
  const starts = unique.filter((c) => c.toLowerCase().startsWith(t));
  const contains = unique.filter((c) => !c.toLowerCase().startsWith(t) && c.toLowerCase().includes(t));
  return [...starts, ...contains].slice(0, max);
}
