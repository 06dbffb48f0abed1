import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/agent/lines.js';

/** The lines of `bytes` fed to a splitter in the given pieces. */
function split(bytes: Buffer, cuts: readonly number[], max: number): string[] {
  const out: string[] = [];
  const s = new LineSplitter(max, (l) => out.push(l));
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    s.write(bytes.subarray(at, c));
    at = c;
  }
  s.write(bytes.subarray(at));
  s.end();
  return out;
}

/** What readline gives for the whole text at once, each line over `max` cut to `max` (whole surrogate pairs) plus the mark. */
function expected(text: string, max: number): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => {
    if (l.length <= max) return l;
    const end = /[\ud800-\udbff]/.test(l[max - 1] ?? '') ? max - 1 : max;
    return `${l.slice(0, end)}…`;
  });
}

// Text rich in line breaks and multi-byte characters (2, 3 and 4 bytes in UTF-8), so chunk boundaries fall inside both.
const piece = fc.constantFrom('a', 'b', ' ', '\n', '\r', '\r\n', 'é', '€', '😀', '\u2028', 'xyz');
const text = fc.array(piece, { maxLength: 300 }).map((p) => p.join(''));

describe('LineSplitter', () => {
  it('gives the same lines however the bytes are chunked, cutting those over the cap', () => {
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 20 }), fc.integer({ min: 1, max: 12 }), (t, raw, max) => {
        const bytes = Buffer.from(t, 'utf8');
        const cuts = raw.map((n) => n % (bytes.length + 1));
        expect(split(bytes, cuts, max)).toEqual(expected(t, max));
      }),
      { numRuns: 2000 },
    );
  });

  it('emits a line over the cap as soon as the cap is passed, before its newline arrives', () => {
    const out: string[] = [];
    const s = new LineSplitter(4, (l) => out.push(l));
    s.write(Buffer.from('abcdefgh'));
    expect(out).toEqual(['abcd…']);
    s.write(Buffer.from('ijk'.repeat(1000)));
    expect(out).toEqual(['abcd…']);
    s.write(Buffer.from('\r\nok'));
    s.end();
    expect(out).toEqual(['abcd…', 'ok']);
  });

  it('decodes a character split between chunks, and keeps a line of exactly the cap whole', () => {
    const out: string[] = [];
    const s = new LineSplitter(3, (l) => out.push(l));
    const euro = Buffer.from('€');
    s.write(Buffer.concat([Buffer.from('ab'), euro.subarray(0, 1)]));
    s.write(Buffer.concat([euro.subarray(1), Buffer.from('\r')]));
    s.write(Buffer.from('\nz'));
    s.end();
    expect(out).toEqual(['ab€', 'z']);
  });
});
