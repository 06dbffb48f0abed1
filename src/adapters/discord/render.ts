import { ButtonStyle, ComponentType, MessageFlags, type APIActionRowComponent, type APIButtonComponent } from 'discord-api-types/v10';
import { escapeMarkdown } from '@discordjs/formatters';
import { render, type Mention, type Message } from '../../core/message.js';
import { codeBlock, type Reply } from '../../core/reply.js';
import { hardSplit, splitText } from '../../core/split.js';

/** Discord refuses message content longer than this. */
export const MAX_CONTENT = 2000;

export interface MessageBody {
  content: string;
  flags?: number;
  allowed_mentions: { parse: []; users?: string[] };
  /** Message components: only the Confirm button of a reply that asks for confirmation. */
  components?: APIActionRowComponent<APIButtonComponent>[];
}

/** The custom_id of a Confirm button: the prefix and the confirmation code. */
export const CONFIRM_PREFIX = 'opsline_confirm:';
/** The custom_id of an Approve button (two-person approval): the prefix and the request's code. */
export const APPROVE_PREFIX = 'opsline_approve:';


/**
 * A message body whose text never pings anyone by accident: user-supplied text (notes, refs) may
 * contain `@everyone` or role mentions, so only the users named in `users` can be notified.
 */
export function messageBody(text: string, opts: { ephemeral?: boolean; users?: readonly string[] } = {}): MessageBody {
  const body: MessageBody = { content: clipContent(text), allowed_mentions: { parse: [] } };
  if (opts.users?.length) body.allowed_mentions.users = [...opts.users];
  if (opts.ephemeral) body.flags = MessageFlags.Ephemeral;
  return body;
}

/**
 * Command output is plain text: a note body or an image name must not turn into formatting or a
 * disguised link (`[docs](https://evil)`), so markdown is escaped. Mentions (`<@id>`) are kept;
 * allowed_mentions decides who is notified.
 */
export function plain(text: string): string {
  return escapeMarkdown(text, { maskedLink: true, heading: true, bulletedList: true, numberedList: true });
}

/** A Discord user is mentioned as `<@id>`; anyone else (another platform's user) by display name. */
export function discordMention(m: Mention): string {
  return m.platform === 'discord' && /^\d+$/.test(m.id) ? `<@${m.id}>` : `@${plain(m.name)}`;
}

/** A thread message as Discord markdown: text escaped, mentions rendered (docs/architecture.md, "Messages"). */
export function discordText(m: Message): string {
  return render(m, { text: plain, mention: discordMention });
}

/** A message body from a thread message (thread roots, status lines, milestones). */
export function plainBody(text: Message, opts: { ephemeral?: boolean; users?: readonly string[] } = {}): MessageBody {
  return messageBody(discordText(text), opts);
}

/** A Reply as Discord markdown: the text, then one bold-labelled line per field; before any split. */
export function replyContent(r: Reply): string {
  // Inside a code block Discord shows text literally, so the block is not markdown-escaped.
  const pre = r.pre !== undefined ? [codeBlock(r.pre)] : [];
  return [plain(r.text), ...pre, ...(r.fields ?? []).map((f) => `**${plain(f.label)}:** ${plain(f.value)}`)].join('\n');
}

/**
 * A Reply as message bodies: one, or numbered parts of at most 2000 characters split at line
 * boundaries (src/core/split.ts), the button on the first (docs/architecture.md, "Long replies").
 */
export function replyBodies(r: Reply): [MessageBody, ...MessageBody[]] {
  const [first = '', ...rest] = splitText(replyContent(r), MAX_CONTENT);
  const ephemeral = r.visibility === 'ephemeral';
  return [replyBody(r, first), ...rest.map((part) => messageBody(part, { ephemeral }))];
}

/** A Reply as one message body (its content given when it is one part of a split reply). */
export function replyBody(r: Reply, content = replyContent(r)): MessageBody {
  const body = messageBody(content, { ephemeral: r.visibility === 'ephemeral' });
  if (r.confirm)
    body.components = [{ type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: ButtonStyle.Danger, label: 'Confirm', custom_id: `${CONFIRM_PREFIX}${r.confirm.code}` }] }];
  if (r.approve)
    body.components = [{ type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: ButtonStyle.Success, label: 'Approve', custom_id: `${APPROVE_PREFIX}${r.approve.code}` }] }];
  return body;
}

/** One message's content: a longer one (a status line being edited) is cut, and says so. */
function clipContent(text: string): string {
  const t = text.trim() === '' ? '(empty)' : text;
  if (t.length <= MAX_CONTENT) return t;
  const notice = `\n… (cut: ${t.length} characters in all)`;
  return hardSplit(t, MAX_CONTENT - notice.length)[0] + notice;
}
