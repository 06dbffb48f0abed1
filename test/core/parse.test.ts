import { describe, expect, it } from 'vitest';
import type { ArgSpec } from '../../src/core/define-command.js';
import { UserError } from '../../src/core/errors.js';
import { parseText, parseValues } from '../../src/core/parse.js';
import { tokenize } from '../../src/core/tokenize.js';

const burn: ArgSpec[] = [
  { name: 'image', type: 'string', description: 'image', required: true, maxLength: 128 },
  { name: 'drive', type: 'string', description: 'drive' },
  { name: 'no-verify', type: 'boolean', description: 'skip verify', flag: true },
  { name: 'speed', type: 'integer', description: 'speed', flag: true, min: 1, max: 48 },
];
const list: ArgSpec[] = [{ name: 'n', type: 'integer', description: 'n', min: 1, max: 50, default: 10 }];
const note: ArgSpec[] = [{ name: 'text', type: 'text', description: 'text', required: true, maxLength: 2000 }];
const status: ArgSpec[] = [{ name: 'window', type: 'string', description: 'w', choices: ['today', 'all'] }];

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).code).toBe('usage');
    return (e as UserError).message;
  }
  throw new Error('expected a usage error');
}

describe('tokenize', () => {
  it('splits on whitespace and keeps quoted strings whole', () => {
    expect(tokenize(`a "b c" 'd e'  f\\ g`).map((t) => t.value)).toEqual(['a', 'b c', 'd e', 'f g']);
  });
  it('handles escapes inside double quotes only', () => {
    expect(tokenize(`"say \\"hi\\"" 'no \\escape'`).map((t) => t.value)).toEqual(['say "hi"', 'no \\escape']);
  });
  it('joins adjacent quoted parts into one word', () => {
    expect(tokenize(`pre"fix suf"fix`).map((t) => t.value)).toEqual(['prefix suffix']);
  });
  it('refuses unbalanced quotes', () => {
    expect(usageError(() => tokenize('a "b'))).toBe('unbalanced " quote');
    expect(usageError(() => tokenize("a 'b"))).toBe("unbalanced ' quote");
  });
  it('returns nothing for blank input', () => {
    expect(tokenize('   \t ')).toEqual([]);
  });
});

describe('parseText', () => {
  it('binds positionals and flags in any order', () => {
    expect(parseText(burn, '--no-verify img.iso dvd1 --speed=4')).toEqual({ image: 'img.iso', drive: 'dvd1', 'no-verify': true, speed: 4 });
  });
  it('applies defaults and leaves absent optionals undefined', () => {
    expect(parseText(list, '')).toEqual({ n: 10 });
    expect(parseText(burn, 'a.iso')).toEqual({ image: 'a.iso' });
  });
  it('takes a text argument verbatim, quotes, flags-lookalikes and all', () => {
    expect(parseText(note, `  it's "quoted  --not-a-flag   `)).toEqual({ text: `it's "quoted  --not-a-flag` });
  });
  it('validates integers with a specific message', () => {
    for (const bad of ['0', '-1', '51', '1e9', 'abc', '1.5', '99999999999999999999'])
      expect(usageError(() => parseText(list, bad))).toBe('n must be a whole number from 1 to 50');
    expect(parseText(list, '50')).toEqual({ n: 50 });
  });
  it('validates choices', () => {
    expect(usageError(() => parseText(status, 'yesterday'))).toBe('window must be one of: today, all');
  });
  it('refuses unknown options, extra arguments and missing required ones', () => {
    expect(usageError(() => parseText(burn, 'a.iso --force'))).toBe('unknown option --force');
    expect(usageError(() => parseText(burn, 'a.iso d extra'))).toBe('unexpected argument "extra"');
    expect(usageError(() => parseText(burn, '--no-verify'))).toBe('missing image');
    expect(usageError(() => parseText(burn, 'a.iso --no-verify=yes'))).toBe('--no-verify takes no value');
    expect(usageError(() => parseText(burn, 'a.iso --speed'))).toBe('--speed needs a value: --speed=…');
  });
  it('refuses too-long values, saying how long', () => {
    expect(usageError(() => parseText(note, 'x'.repeat(2001)))).toBe('text is too long (2001 characters, at most 2000)');
    expect(usageError(() => parseText(burn, 'y'.repeat(10_240)))).toBe('image is too long (10240 characters, at most 128)');
  });
  it('clips a long unexpected argument in the message', () => {
    expect(usageError(() => parseText(list, `5 ${'z'.repeat(100)}`))).toMatch(/^unexpected argument "z{40}…"$/);
  });
});

describe('parseValues', () => {
  it('validates structured options with the same specs', () => {
    expect(parseValues(burn, { image: 'a.iso', speed: 8, 'no-verify': true })).toEqual({ image: 'a.iso', speed: 8, 'no-verify': true });
    expect(usageError(() => parseValues(list, { n: 0 }))).toBe('n must be a whole number from 1 to 50');
    expect(usageError(() => parseValues(list, { x: 1 }))).toBe('unknown option x');
    expect(usageError(() => parseValues(burn, {}))).toBe('missing image');
  });
  it('refuses control characters in structured values, as in typed text', () => {
    for (const bad of ['\u001b[2J', 'a\u0000b', 'bell\u0007']) expect(() => parseValues(note, { text: bad })).toThrow('input contains control characters');
    expect(parseValues(note, { text: 'tab\tand\nnewline' })).toEqual({ text: 'tab\tand\nnewline' });
  });
});
