import type { SeenKeys } from '../../src/services/seen-keys.js';

export interface GatedKeys extends SeenKeys {
  /** Lets every check waiting so far, and every later one, answer. */
  open(): void;
  /** Checks asked for so far. */
  readonly asked: number;
}

/**
 * Duplicate checks (Slack trigger ids, replay keys, Discord interaction ids) that wait until the
 * test opens the gate: Redis slow to answer. An ack that arrives while the gate is closed was sent
 * without waiting for them. Once open, they remember keys as RecentKeys does.
 */
export function gatedKeys(): GatedKeys {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const seen = new Set<string>();
  let asked = 0;
  return {
    open,
    get asked() {
      return asked;
    },
    async firstSeen(key: string) {
      asked++;
      await gate;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    },
  };
}
