import { render, type Mention, type Message } from '../../core/message.js';
import { codeBlock, type Reply } from '../../core/reply.js';
import { splitText } from '../../core/split.js';

/**
 * Slack shows at most ~4000 characters of a message comfortably (it truncates at 40,000): a longer
 * reply is split into numbered messages, a longer status line is cut, visibly.
 */
export const MAX_TEXT = 3900;
/** Block Kit's limit for a section's text: a reply with a button is split to fit it. */
const MAX_SECTION = 3000;

/**
 * Escapes Slack's control characters so user-supplied text (a note body) cannot become a
 * `<!channel>` or `<@U…>` ping or a disguised link. The bot's own mentions are typed parts of a
 * message (slackText), never text.
 */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Slack user is mentioned as `<@U…>`; anyone else (another platform's user) by display name. */
export function slackMention(m: Mention): string {
  return m.platform === 'slack' && /^[A-Z0-9]+$/.test(m.id) ? `<@${m.id}>` : `@${escapeText(m.name)}`;
}

/** A thread message as Slack mrkdwn: text escaped, mentions rendered (docs/architecture.md, "Messages"). */
export function slackText(m: Message): string {
  return render(m, { text: escapeText, mention: slackMention });
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

/** A reply's text, table and fields as one mrkdwn text, before any split. */
export function replyText(r: Reply, rename: (text: string) => string = (t) => t): string {
  const lines = [escapeText(r.text)];
  if (r.pre !== undefined) lines.push(codeBlock(escapeText(r.pre)));
  for (const f of r.fields ?? []) lines.push(`*${escapeText(f.label)}:* ${escapeText(f.value)}`);
  return rename(lines.join('\n'));
}

/**
 * Reply → Slack messages: fields become `*label:* value` lines; visibility picks the response type;
 * `rename` puts the command prefix into command names the text mentions. A reply longer than one
 * message is split into numbered ones (src/core/split.ts); a button goes on the first.
 */
export function toSlackMessages(r: Reply, rename: (text: string) => string = (t) => t): [SlackMessage, ...SlackMessage[]] {
  const response_type = r.visibility === 'channel' ? 'in_channel' : 'ephemeral';
  const [action, label, style, code] = r.confirm ? [CONFIRM_ACTION, 'Confirm', 'danger', r.confirm.code] : r.approve ? [APPROVE_ACTION, 'Approve', 'primary', r.approve.code] : [];
  const [first = '', ...rest] = splitText(replyText(r, rename), action ? MAX_SECTION : MAX_TEXT);
  const others = rest.map((text) => ({ text, response_type }) as const);
  if (!action) return [{ text: first, response_type }, ...others];
  const button = { type: 'button', action_id: action, style, text: { type: 'plain_text', text: label }, value: code };
  return [{ text: first, response_type, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: first } }, { type: 'actions', block_id: action, elements: [button] }] }, ...others];
}
