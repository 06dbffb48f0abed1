import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DURATION_HINT, durationError, durationText, formatDuration, readDuration } from '../../src/words/duration.js';

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

describe('the one duration grammar', () => {
  it('reads a whole number and a unit, ms to d, as milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9_999_999 }), fc.constantFrom(...(Object.keys(UNITS) as (keyof typeof UNITS)[])), (n, unit) => {
        expect(readDuration(`${n}${unit}`)).toEqual({ ok: true, ms: n * UNITS[unit] });
      }),
    );
  });

  it('reads every form the two old grammars read (config s..h, commands ms..d) the same way', () => {
    for (const [text, ms] of [['90s', 90_000], ['15m', 900_000], ['2h', 7_200_000], ['1d', 86_400_000], ['250ms', 250], ['1000000s', 1_000_000_000]] as const)
      expect(readDuration(text)).toEqual({ ok: true, ms });
  });

  it('refuses anything else with the one message', () => {
    for (const bad of ['', '0s', '01m', '1.5h', '1 h', ' 1h', '1h ', '1H', '-1m', '1w', '12345678s', 'forever', '1e3ms'])
      expect(readDuration(bad), bad).toEqual({ ok: false, problem: 'grammar' });
    fc.assert(
      fc.property(fc.string(), (text) => {
        const r = readDuration(text);
        expect(r.ok).toBe(/^[1-9]\d{0,6}(ms|s|m|h|d)$/.test(text));
      }),
    );
    expect(durationError({ ok: false, problem: 'grammar' })).toBe(`must be ${DURATION_HINT}`);
  });

  it('holds a value to its bounds and names the bound in the grammar', () => {
    expect(readDuration('500ms', 1000)).toEqual({ ok: false, problem: 'below', limit: '1s' });
    expect(readDuration('3h', 1, 7_200_000)).toEqual({ ok: false, problem: 'above', limit: '2h' });
    expect(durationError({ ok: false, problem: 'below', limit: '1s' })).toBe('must be at least 1s');
  });

  it('writes a duration back in a form that reads as exactly the same value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9_999_999 }), (ms) => {
        expect(readDuration(durationText(ms))).toEqual({ ok: true, ms });
      }),
    );
    expect([durationText(90_000), durationText(5_400_000), durationText(86_400_000)]).toEqual(['90s', '90m', '24h']);
    expect(formatDuration(5_400_000)).toBe('1h 30m');
  });
});
