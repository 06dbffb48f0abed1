import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Row } from './report.js';

/** A row as bench/results.json holds it: the bench that measured it beside the row (docs/testing.md). */
export type SavedRow = Row & { readonly bench: string };

/** What a row in an existing file must have for a merge to place it; the rest is kept as it was written. */
const savedRows = z.array(z.looseObject({ name: z.string(), bench: z.string().optional() }));

/**
 * Writes `rows` to `path`. A run of some benches (`npm run bench <name>…`) keeps the rows of the
 * benches it did not run: the file's rows of a bench that ran (or, in a file written before rows
 * named their bench, of the same name) give way to the new ones, and the rows stay in `order`,
 * the benches' order in `npm run bench`. A full run, or a file that cannot be read as rows,
 * writes only the new rows.
 */
export async function saveResults(path: string | URL, rows: readonly SavedRow[], ran: readonly string[], order: readonly string[], full: boolean): Promise<void> {
  const kept = full ? [] : await previous(path, rows, ran);
  const place = (r: { bench?: string | undefined }) => (r.bench === undefined ? order.length : order.indexOf(r.bench) === -1 ? order.length : order.indexOf(r.bench));
  const merged = [...kept, ...rows].map((r, i) => ({ r, i })).sort((a, b) => place(a.r) - place(b.r) || a.i - b.i);
  await writeFile(path, `${JSON.stringify(merged.map((m) => m.r), null, 2)}\n`);
}

async function previous(path: string | URL, rows: readonly SavedRow[], ran: readonly string[]): Promise<z.output<typeof savedRows>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const saved = rowsIn(text);
  if (!saved) {
    process.stderr.write(`${String(path)} does not hold rows; it now holds only this run's\n`);
    return [];
  }
  const names = new Set(rows.map((r) => r.name));
  return saved.filter((r) => !(r.bench !== undefined ? ran.includes(r.bench) : names.has(r.name)));
}

function rowsIn(text: string): z.output<typeof savedRows> | undefined {
  try {
    const parsed = savedRows.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
