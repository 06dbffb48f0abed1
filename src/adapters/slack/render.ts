import type { Reply } from '../../core/reply.js';

/** Slack shows at most ~4000 characters of a message comfortably; longer text is cut, visibly. */
const MAX_TEXT = 3900;

/**
 * Escapes Slack's control characters so user-supplied text (a note body) cannot become a
 * `<!channel>` ping or a disguised link. Only plain user mentions `<@U…>` that the bot itself
 * produced survive, because the final thread line must notify the requester.
 */
export function escapeText(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return escaped.replace(/&lt;@([UW][A-Z0-9]{2,})&gt;/g, '<@$1>');
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
  for (const f of r.fields ?? []) lines.push(`*${escapeText(f.label)}:* ${escapeText(f.value)}`);
  const text = clip(rename(lines.join('\n')));
  const response_type = r.visibility === 'channel' ? 'in_channel' : 'ephemeral';
  if (!r.confirm) return { text, response_type };
  const button = { type: 'button', action_id: CONFIRM_ACTION, style: 'danger', text: { type: 'plain_text', text: 'Confirm' }, value: r.confirm.code };
  return { text, response_type, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }, { type: 'actions', block_id: CONFIRM_ACTION, elements: [button] }] };
}
