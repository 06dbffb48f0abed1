import { describe, expect, it } from 'vitest';
import { splitText } from '../../src/core/split.js';

/** The text of the parts without their number lines, joined as they were split (at line ends). */
const unsplit = (parts: string[]) => parts.map((p) => p.replace(/^\d+\/\d+\n/, '')).join('\n');

describe('splitting a long reply', () => {
  it('leaves a reply that fits as it is', () => {
    expect(splitText('short\nreply', 100)).toEqual(['short\nreply']);
  });

  it('splits at line boundaries into numbered parts within the limit, nothing lost', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `#${i + 1} ${'note text '.repeat(30)}`.trim());
    const parts = splitText(lines.join('\n'), 2000);
    expect(parts.length).toBeGreaterThan(1);
    parts.forEach((p, i) => {
      expect(p.length).toBeLessThanOrEqual(2000);
      expect(p.startsWith(`${i + 1}/${parts.length}\n`)).toBe(true);
    });
    expect(unsplit(parts)).toBe(lines.join('\n'));
    // No line is cut: every part holds whole lines.
    for (const p of parts) for (const l of p.split('\n').slice(1)) expect(lines).toContain(l);
  });

  it('splits a single over-long line hard, with no loss, never inside a mention or an entity', () => {
    const line = `${'x'.repeat(1975)} <@U123ABC> &amp; ${'y'.repeat(3000)}`;
    const parts = splitText(line, 2000);
    expect(parts.every((p) => p.length <= 2000)).toBe(true);
    expect(parts.map((p) => p.replace(/^\d+\/\d+\n/, '')).join('')).toBe(line);
    for (const p of parts) {
      expect(p).not.toMatch(/<@[A-Z0-9]*$/);
      expect(p).not.toMatch(/^(\d+\/\d+\n)[A-Z0-9]*>/);
      expect(p).not.toMatch(/&[a-z]*$/);
    }
  });

  it('closes a code block a split cuts and opens it again in the next part', () => {
    const table = ['```', ...Array.from({ length: 40 }, (_, i) => `row ${i} ${'-'.repeat(60)}`), '```'].join('\n');
    const parts = splitText(`counts:\n${table}\ndone`, 1000);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect((p.match(/```/g) ?? []).length % 2).toBe(0);
  });
});
