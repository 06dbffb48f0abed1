import { describe, expect, it } from 'vitest';
import { OUTPUT_CHARS, OUTPUT_LINES, outputEntries, parseEntry } from '../../src/relay/entry.js';

// docs/web.md, "Live updates": a job's output lines ride on its thread as `output` entries that every
// reader parses against the schema; the writer splits a batch so each entry fits.
describe('output entries on the relay', () => {
  it('parses numbered lines and refuses what does not fit', () => {
    const entry = (lines: unknown) => parseEntry(JSON.stringify({ o: 'w', op: 'output', lines }));
    expect(entry([{ n: 1, text: '<script>x</script>' }])).toEqual({ o: 'w', op: 'output', lines: [{ n: 1, text: '<script>x</script>' }] });
    expect(entry([])).toBeUndefined();
    expect(entry([{ n: 0, text: 'x' }])).toBeUndefined();
    expect(entry([{ n: 1, text: 'x', extra: 1 }])).toBeUndefined();
    expect(entry([{ n: 1, text: 'x'.repeat(2001) }])).toBeUndefined();
    expect(entry(Array.from({ length: OUTPUT_LINES + 1 }, (_, i) => ({ n: i + 1, text: 'x' })))).toBeUndefined();
    expect(entry(Array.from({ length: 21 }, (_, i) => ({ n: i + 1, text: 'x'.repeat(2000) })))).toBeUndefined();
  });

  it('splits a batch into entries that fit, cutting long lines, keeping the numbers and the order', () => {
    const batch = Array.from({ length: 450 }, (_, i) => ({ n: i + 1, text: i === 7 ? 'y'.repeat(5000) : `line ${i + 1}` }));
    const entries = outputEntries(batch);
    expect(entries.map((e) => e.length)).toEqual([200, 200, 50]);
    expect(entries.flat().map((l) => l.n)).toEqual(batch.map((l) => l.n));
    expect(entries.flat()[7]?.text).toHaveLength(2000);
    for (const lines of entries) expect(parseEntry(JSON.stringify({ o: 'w', op: 'output', lines }))).toBeDefined();
    const wide = outputEntries(Array.from({ length: 50 }, (_, i) => ({ n: i + 1, text: 'z'.repeat(2000) })));
    expect(wide.map((e) => e.length)).toEqual([20, 20, 10]);
    for (const lines of wide) expect(lines.reduce((s, l) => s + l.text.length, 0)).toBeLessThanOrEqual(OUTPUT_CHARS);
  });
});
