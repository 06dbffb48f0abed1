import { randomBytes } from 'node:crypto';
import { codeBlock, type Reply } from '../../core/reply.js';

/** Slack shows at most ~4000 characters of a message comfortably; longer text is cut, visibly. */
const MAX_TEXT = 3900;

// A mention the bot writes is marked with a per-process nonce that user text cannot know, so only
// the bot's own mentions become pings; a `<@U…>` typed into a note stays literal text.
const NONCE = randomBytes(8).toString('hex');
const BOT_MENTION = new RegExp(`\uE000${NONCE}:([UW][A-Z0-9]{2,})\uE001`, 'g');

/** How the bot writes a mention (the final thread line notifies the requester); escapeText turns it into `<@U…>`. */
export function mentionOf(userId: string): string {
  return `\uE000${NONCE}:${userId}\uE001`;
}

/**
 * Escapes Slack's control characters so user-supplied text (a note body) cannot become a
 * `<!channel>` or `<@U…>` ping or a disguised link. Only the mentions the bot itself wrote survive.
 */
export function escapeText(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return escaped.replace(BOT_MENTION, '<@$1>');
}

/** Slack sends command text with &, < and > entity-encoded; commands work on the text as typed. */
export function unescapeText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function clip(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT)}\n… (cut: ${text.length} characters in all)`;
}

/** The action id of the Confirm button a reply that asks for confirmation carries. */
export const CONFIRM_ACTION = 'opsline_confirm';
/** The action id of the Approve button a request held for two-person approval carries. */
export const APPROVE_ACTION = 'opsline_approve';

/** A message body for an ack or a response_url post. */
export interface SlackMessage {
  readonly text: string;
  readonly response_type: 'in_channel' | 'ephemeral';
  /** Block Kit: only for a reply that asks for confirmation (the text stays as the fallback). */
  readonly blocks?: readonly Record<string, unknown>[];
}

/**
 * Reply → Slack message: fields become `*label:* value` lines; visibility picks the response type;
 * `rename` puts the command prefix into command names the text mentions.
 */
export function toSlackMessage(r: Reply, rename: (text: string) => string = (t) => t): SlackMessage {
  const lines = [escapeText(r.text)];
  if (r.pre !== undefined) lines.push(codeBlock(escapeText(r.pre)));
  for (const f of r.fields ?? []) lines.push(`*${escapeText(f.label)}:* ${escapeText(f.value)}`);
  const text = clip(rename(lines.join('\n')));
  const response_type = r.visibility === 'channel' ? 'in_channel' : 'ephemeral';
  const [action, label, style, code] = r.confirm ? [CONFIRM_ACTION, 'Confirm', 'danger', r.confirm.code] : r.approve ? [APPROVE_ACTION, 'Approve', 'primary', r.approve.code] : [];
  if (!action) return { text, response_type };
  const button = { type: 'button', action_id: action, style, text: { type: 'plain_text', text: label }, value: code };
  return { text, response_type, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }, { type: 'actions', block_id: action, elements: [button] }] };
}
