import { UserError } from './errors.js';

export interface Token {
  readonly value: string;
  /** Offset of the token's first character in the raw text. */
  readonly start: number;
}

/**
 * Reads one word from `raw` at `pos`: whitespace-separated, with "double" or 'single' quotes and
 * backslash escapes outside single quotes. Returns undefined at the end of input.
 */
export function nextToken(raw: string, pos: number): { token: Token; end: number } | undefined {
  let i = pos;
  while (i < raw.length && /\s/.test(raw[i]!)) i++;
  if (i >= raw.length) return undefined;
  const start = i;
  let value = '';
  let quote: '"' | "'" | undefined;
  for (; i < raw.length; i++) {
    const c = raw[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < raw.length) value += raw[++i];
      else value += c;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '\\' && i + 1 < raw.length) value += raw[++i];
    else if (/\s/.test(c)) break;
    else value += c;
  }
  if (quote) throw new UserError('usage', `unbalanced ${quote} quote`);
  return { token: { value, start }, end: i };
}

/** All words of `raw`. */
export function tokenize(raw: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  for (let t = nextToken(raw, pos); t; t = nextToken(raw, pos)) {
    out.push(t.token);
    pos = t.end;
  }
  return out;
}
