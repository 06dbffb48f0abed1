/** Platform-free shapes every adapter renders. */

import type { ErrorCode } from './error-catalogue.js';

export type Visibility = 'ephemeral' | 'channel';

export interface Field {
  readonly label: string;
  readonly value: string;
}

export interface Reply {
  readonly text: string;
  readonly fields?: readonly Field[];
  readonly visibility: Visibility;
  /** Set on error replies: the stable error code (docs/errors.md). */
  readonly code?: ErrorCode;
  /** The request waits for its caller to confirm: adapters add a button that confirms `code`. */
  readonly confirm?: { readonly code: string; readonly expiresInSec: number };
  /** The request waits for someone else's approval: adapters add a button that approves `code`. */
  readonly approve?: { readonly code: string; readonly expiresInSec: number };
  /** A table or bar shown after the text in a fixed-width font (a code block on Slack and Discord). */
  readonly pre?: string;
  /**
   * The answer that replaces this one when it is ready (a cold /status says "counting…" first).
   * Adapters show it in the same place: an edit where the platform allows, else a follow-up. As
   * the dispatcher hands it out it never rejects: a failure is an error reply.
   */
  readonly later?: Promise<Reply>;
}

export function reply(text: string, opts: { fields?: readonly Field[]; visibility?: Visibility; pre?: string } = {}): Reply {
  return { text, fields: opts.fields, visibility: opts.visibility ?? 'ephemeral', ...(opts.pre !== undefined ? { pre: opts.pre } : {}) };
}

/** A fixed-width block for chat markdown; backtick runs inside are broken up so the block cannot be closed early. */
export function codeBlock(pre: string): string {
  return `\`\`\`\n${pre.replace(/`{3,}/g, (m) => m.split('').join('\u200b'))}\n\`\`\``;
}

/** A text progress bar: `bar(0.42, 10)` → `████▏░░░░░`-like string of exactly `width` cells. */
export function bar(fraction: number, width = 20): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const full = Math.round(f * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

/** Renders a reply as plain lines; used by the console and as the text fallback of rich platforms. */
export function replyToText(r: Reply): string {
  const lines = [r.text];
  if (r.pre !== undefined) lines.push(r.pre);
  for (const f of r.fields ?? []) lines.push(`  ${f.label}: ${f.value}`);
  return lines.join('\n');
}
