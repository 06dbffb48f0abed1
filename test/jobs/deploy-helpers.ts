import type { ThreadMessage } from '../helpers/test-adapter.js';

export async function until(check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Posted messages (roots and replies), without status edits. */
export const texts = (ms: readonly ThreadMessage[]): string[] => ms.filter((m) => m.kind !== 'edit').map((m) => m.text);
