import type { Reply } from './reply.js';

/**
 * Characters that must never reach a terminal or a chat message as they are: C0 controls other than
 * tab and newline (ESC starts a terminal escape, CR and BS rewrite what is on screen), DEL, the C1
 * controls U+0080–U+009F (U+009B is CSI, a whole terminal escape in one character), and the bidi
 * embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make text read in an order
 * other than the one it is stored in. (The body of a RegExp character class.)
 */
export const UNSAFE = '\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069';

/** Tests for any such character (the input filter refuses text that has one: src/core/input.ts). */
export const UNSAFE_CHAR = new RegExp(`[${UNSAFE}]`);
const UNSAFE_ALL = new RegExp(`[${UNSAFE}]`, 'g');

/**
 * Unicode's private-use areas: no reader knows what they mean, so none leaves the bot as it is
 * (a mention is a typed part of a message, never a marked string: docs/architecture.md, "Messages").
 */
export const PRIVATE_USE = /[\uE000-\uF8FF\u{F0000}-\u{FFFFD}\u{100000}-\u{10FFFD}]/u;
const PRIVATE_USE_ALL = new RegExp(PRIVATE_USE.source, 'gu');

/**
 * Text from outside (stored notes, agent and job output, display names, error messages) as it may be
 * shown: each unsafe character becomes its visible escape (`\u009b`), so a reader sees that it was
 * there and no terminal or chat client acts on it. A private-use character is shown as its escape too.
 */
export function printable(text: string): string {
  return text.replace(UNSAFE_ALL, escapeOf).replace(PRIVATE_USE_ALL, escapeOf);
}

/** `\u009b` for U+009B, `\u{f0000}` beyond the BMP: the escape as text. */
export function escapeOf(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/** A reply with `printable` text, table and fields. */
export function printableReply(r: Reply): Reply {
  return {
    ...r,
    text: printable(r.text),
    ...(r.pre !== undefined ? { pre: printable(r.pre) } : {}),
    ...(r.fields ? { fields: r.fields.map((f) => ({ label: printable(f.label), value: printable(f.value) })) } : {}),
  };
}
