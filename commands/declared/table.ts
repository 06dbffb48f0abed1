/** A result as a fixed-width table, cut to `limit` characters on whole rows (docs/commands.md#sql). */
export function renderTable(columns: readonly string[], rows: readonly (readonly unknown[])[], limit: number): { text: string; shown: number } {
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return 'NULL';
    const s = v instanceof Date ? v.toISOString() : Buffer.isBuffer(v) ? `0x${v.toString('hex').slice(0, 16)}` : String(v);
    // One line per row: a line break or a tab in a value would break the columns.
    const flat = s.replace(/[\r\n\t]/g, ' ');
    return flat.length > 40 ? `${flat.slice(0, 39)}…` : flat;
  };
  const cells = rows.map((r) => r.map(cell));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(columns), widths.map((w) => '-'.repeat(w)).join('  ')];
  let size = out.join('\n').length;
  let shown = 0;
  for (const r of cells) {
    const l = line(r);
    if (size + l.length + 1 > limit) break;
    out.push(l);
    size += l.length + 1;
    shown++;
  }
  return { text: out.join('\n'), shown };
}
