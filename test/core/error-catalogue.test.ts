import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { COMMAND_ERRORS, ERROR_CODES, fill, isErrorCode, DEVICE_ERRORS, OPERATOR_ERRORS } from '../../src/core/error-catalogue.js';
import { errorsDoc } from '../../src/core/errors-doc.js';
import { ERROR_CODES as WIRE_CODES } from '../../src/protocol/index.js';

/** Every value earlier versions wrote to audit_log.error_code: rows that hold them must keep their meaning. */
const STORED = ['unknown_command', 'usage', 'denied', 'bad_input', 'not_found', 'conflict', 'not_configured', 'unavailable', 'timeout', 'internal'];

describe('docs/errors.md', () => {
  it('is exactly what the catalogue generates (run `npm run docs:errors` after changing the catalogue)', async () => {
    const doc = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    expect(doc).toBe(errorsDoc());
  });

  it('changes when the catalogue changes, so a stale page fails the first test', () => {
    const before = errorsDoc();
    const table = COMMAND_ERRORS as Record<string, { meaning: string; reply: string }>;
    table.rate_limited = { meaning: 'Too many requests.', reply: '`slow down`' };
    try {
      expect(errorsDoc()).not.toBe(before);
      expect(errorsDoc()).toContain('| `rate_limited` | Too many requests. | `slow down` |');
    } finally {
      delete table.rate_limited;
    }
    expect(errorsDoc()).toBe(before);
  });

  it('lists every code of every part', () => {
    const doc = errorsDoc();
    for (const code of [...ERROR_CODES, ...Object.keys(DEVICE_ERRORS), ...Object.keys(OPERATOR_ERRORS)]) expect(doc).toContain(`| \`${code}\` |`);
  });
});

describe('the error catalogue', () => {
  it('keeps every code stored in audit_log.error_code by earlier versions: none is renamed or removed', () => {
    expect(STORED.filter((c) => !isErrorCode(c))).toEqual([]);
    expect(ERROR_CODES.slice(0, STORED.length)).toEqual(STORED);
  });

  it('has codes that fit the audit column (VARCHAR(32)) and read as snake_case words', () => {
    for (const code of [...ERROR_CODES, ...Object.keys(DEVICE_ERRORS), ...Object.keys(OPERATOR_ERRORS)]) expect(code).toMatch(/^[a-z][a-z_]{1,31}$/);
  });

  it("holds exactly the agent protocol's error codes as its agent-sent device codes", () => {
    const wire = Object.entries(DEVICE_ERRORS).filter(([, e]) => e.wire).map(([c]) => c);
    expect(wire.sort()).toEqual(Object.keys(WIRE_CODES).sort());
  });

  it('turns every cause a command can meet into a catalogued command code', () => {
    const becomes = [...Object.values(DEVICE_ERRORS), ...Object.values(OPERATOR_ERRORS)].flatMap((e) => ('becomes' in e ? [e.becomes] : []));
    expect(becomes.length).toBeGreaterThan(20);
    expect(becomes.filter((c) => !isErrorCode(c))).toEqual([]);
  });

  it('refuses names that are not codes, inherited ones included', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'Internal', '']) expect(isErrorCode(name)).toBe(false);
  });

  it('fills a pattern once: values are data, never read as placeholders', () => {
    expect(fill('agent <agent> is not reachable (<state>)', { agent: '<state>', state: 'down' })).toBe('agent <state> is not reachable (down)');
    expect(fill('keeps <unknown> and <__proto__>', {})).toBe('keeps <unknown> and <__proto__>');
    expect(fill('$& <why>', { why: '$1 $&' })).toBe('$& $1 $&');
  });
});
