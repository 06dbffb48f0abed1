import { readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** A ledger state as the file holds it: what tests look at. */
export interface LedgerLine {
  readonly jobId: string;
  readonly pid?: number;
  readonly result?: { readonly outcome: string };
}

/** The lines of `<stateDir>/<name>.jsonl` as written (src/agent/journal.ts), complete lines only. */
export function ledgerLines(stateDir: string, name: string): LedgerLine[] {
  const lines = readFileSync(join(stateDir, `${name}.jsonl`), 'utf8').split('\n');
  lines.pop();
  return lines.map((l) => JSON.parse(l) as LedgerLine);
}

/** Each jobId's last state in the file, in the order of their last lines: what the agent reads back. */
export function ledgerStates(stateDir: string, name: string): Map<string, LedgerLine> {
  const states = new Map<string, LedgerLine>();
  for (const l of ledgerLines(stateDir, name)) {
    states.delete(l.jobId);
    states.set(l.jobId, l);
  }
  return states;
}

/**
 * Runs `body` while a directory stands where the ledger file is (root ignores modes), so every append and every
 * rewrite of it fails; the file is put back afterwards.
 */
export async function withLedgerBlocked<T>(stateDir: string, name: string, body: () => Promise<T>): Promise<T> {
  const file = join(stateDir, `${name}.jsonl`);
  const aside = `${file}.aside`;
  const moved = await rename(file, aside).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
  await mkdir(file);
  try {
    return await body();
  } finally {
    await rm(file, { recursive: true, force: true });
    if (moved) await rename(aside, file);
  }
}
