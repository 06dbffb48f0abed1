/**
 * One row of `npm run bench`: a measured value beside either its `baseline`, measured in the same
 * run, or a `limit`, a number that was not measured (an edit interval, an expected count, a budget
 * formula), never both (docs/testing.md). `ratio` is value ÷ whichever the row has. `target` says in
 * words what `met` checks, because a target is sometimes absolute (p99 < 50 ms) and sometimes a
 * ratio (≤ 2× the bare handler).
 */
export type Row = {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly ratio: number | null;
  readonly target: string;
  readonly met: boolean;
} & ({ readonly baseline: number | null; readonly limit?: never } | { readonly limit: number; readonly baseline?: never });

export interface Bench {
  readonly name: string;
  readonly description: string;
  run(): Promise<Row[]>;
}

/** A row whose ratio is value ÷ baseline, the baseline measured in the same run (or null: none); `met` is decided by the caller from either. */
export function row(name: string, value: number, unit: string, baseline: number | null, target: string, met: (value: number, ratio: number | null) => boolean): Row {
  const ratio = baseline === null || baseline === 0 ? null : round(value / baseline, 3);
  return { name, value: round(value, 3), unit, baseline: baseline === null ? null : round(baseline, 3), ratio, target, met: met(value, ratio) };
}

/** A row held to a `limit` that is not a measurement (a target, an expected count, a formula); ratio is value ÷ limit. */
export function limitRow(name: string, value: number, unit: string, limit: number, target: string, met: (value: number, ratio: number | null) => boolean): Row {
  const ratio = limit === 0 ? null : round(value / limit, 3);
  return { name, value: round(value, 3), unit, limit: round(limit, 3), ratio, target, met: met(value, ratio) };
}

/** A row for a bench that could not run: kept in the table so a missing number is never silent. */
export function failedRow(name: string, err: unknown): Row {
  return { name: `${name} (failed: ${String((err as Error)?.message ?? err).slice(0, 80)})`, value: NaN, unit: '', baseline: null, ratio: null, target: '', met: false };
}

export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! : NaN;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

const fmt = (n: number | null) => (n === null ? '—' : Number.isNaN(n) ? 'n/a' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export function table(rows: readonly Row[]): string {
  const against = (r: Row) => (r.limit !== undefined ? `limit ${fmt(r.limit)} ${r.unit}` : r.baseline === null || r.baseline === undefined ? '—' : `${fmt(r.baseline)} ${r.unit}`);
  const cells = rows.map((r) => [r.name, `${fmt(r.value)} ${r.unit}`, against(r), r.ratio === null ? '—' : `${fmt(r.ratio)}×`, r.target, r.met ? 'met' : 'MISSED']);
  const head = ['row', 'value', 'baseline / limit', 'ratio', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
