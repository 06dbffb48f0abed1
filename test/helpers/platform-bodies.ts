import { z } from 'zod';

/**
 * What Slack and Discord publish about the bodies the bot sends them, as zod schemas the platform
 * doubles run on every body they receive (docs/testing.md, "What the doubles check"). Two kinds of
 * check: the platform's limits (a body over them is refused, as the platform refuses it), and the
 * way a person reads the text (no private-use character, no control character, no half-written
 * mention), which the platform would accept and show as garbage.
 *
 * Limits: Discord's OpenAPI spec (discord-api-spec, v10) and its message docs: content ≤ 2000, ≤ 10
 * embeds (title ≤ 256, description ≤ 4096, ≤ 25 fields), ≤ 5 action rows of ≤ 5 buttons (label ≤ 80,
 * custom_id ≤ 100), thread name 1–100. Slack: chat.postMessage's `text` is best kept ≤ 4000 characters
 * (Slack truncates past 40,000; past 4000 a person no longer reads one message), Block Kit ≤ 50 blocks,
 * section text ≤ 3000, ≤ 25 action elements, button text ≤ 75, value ≤ 2000, block_id / action_id ≤ 255.
 */

/** Unicode's private-use areas: never meaningful to a reader. */
const PRIVATE_USE = /[\uE000-\uF8FF\u{F0000}-\u{FFFFD}\u{100000}-\u{10FFFD}]/u;
/** Controls a chat client would show as boxes or act on (tab and newline are text). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Why `text` does not read as a person would read it on `platform`, or undefined. */
export function unreadable(text: string, platform: 'slack' | 'discord'): string | undefined {
  const pua = PRIVATE_USE.exec(text);
  if (pua) return `a private-use character U+${pua[0].codePointAt(0)!.toString(16).toUpperCase()} at ${pua.index}`;
  const ctl = CONTROL.exec(text);
  if (ctl) return `a control character U+${ctl[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${ctl.index}`;
  // Slack: every '<' the bot sends opens a whole mention (all other text is escaped as &lt;).
  // Discord: a '<@' must be a whole user mention; other '<' is plain text there.
  const opener = platform === 'slack' ? /</g : /<@/g;
  const whole = platform === 'slack' ? /^<@[A-Z0-9]+>/ : /^<@!?\d+>/;
  for (const m of text.matchAll(opener)) {
    if (!whole.test(text.slice(m.index))) return `a half-written mention or raw markup at ${m.index}: ${JSON.stringify(text.slice(m.index, m.index + 30))}`;
  }
  return undefined;
}

/** A string a person reads on `platform`: within `max` characters and readable. */
function readable(platform: 'slack' | 'discord', max: number, min = 0) {
  return z
    .string()
    .min(min)
    .max(max)
    .superRefine((s, ctx) => {
      const why = unreadable(s, platform);
      if (why) ctx.addIssue({ code: 'custom', message: why });
    });
}

// ---- Slack ----

const slackTextObject = (max: number) => z.looseObject({ type: z.enum(['mrkdwn', 'plain_text']), text: readable('slack', max, 1) });
const slackButton = z.looseObject({
  type: z.literal('button'),
  text: z.looseObject({ type: z.literal('plain_text'), text: readable('slack', 75, 1) }),
  action_id: z.string().min(1).max(255),
  value: z.string().max(2000).optional(),
  style: z.enum(['primary', 'danger']).optional(),
});
const slackBlock = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('section'), block_id: z.string().max(255).optional(), text: slackTextObject(3000) }),
  z.looseObject({ type: z.literal('actions'), block_id: z.string().max(255).optional(), elements: z.array(slackButton).min(1).max(25) }),
  z.looseObject({ type: z.literal('context'), elements: z.array(slackTextObject(2000)).min(1).max(10) }),
]);

/** A message as the bot sends it: an ack, a response_url post, chat.postMessage or chat.update. */
export const slackMessage = z
  .looseObject({
    text: readable('slack', 4000).optional(),
    blocks: z.array(slackBlock).max(50).optional(),
    response_type: z.enum(['in_channel', 'ephemeral']).optional(),
    replace_original: z.boolean().optional(),
    thread_ts: z.string().regex(/^\d+\.\d+$/).optional(),
  })
  .refine((m) => (m.text !== undefined && m.text !== '') || (m.blocks?.length ?? 0) > 0, 'a message needs text or blocks');

/** The Web API methods whose bodies carry a message, with the arguments each requires. */
export const slackMethodBody = new Map<string, z.ZodType>([
  ['chat.postMessage', slackMessage.and(z.looseObject({ channel: z.string().min(1) }))],
  ['chat.update', slackMessage.and(z.looseObject({ channel: z.string().min(1), ts: z.string().regex(/^\d+\.\d+$/) }))],
  ['response_url', slackMessage],
  // The answer inside the HTTP response to a slash command (what Slack reads from the ack).
  ['ack', slackMessage],
]);

// ---- Discord ----

const discordButton = z.looseObject({ type: z.literal(2), style: z.number().int().min(1).max(6), label: readable('discord', 80).optional(), custom_id: z.string().max(100).optional() });
const discordEmbed = z.looseObject({
  title: readable('discord', 256).optional(),
  description: readable('discord', 4096).optional(),
  fields: z.array(z.looseObject({ name: readable('discord', 256), value: readable('discord', 1024) })).max(25).optional(),
});

/** A message body: a channel message, a webhook follow-up or edit, an interaction response's data. */
export const discordMessage = z.looseObject({
  content: readable('discord', 2000).optional(),
  embeds: z.array(discordEmbed).max(10).optional(),
  components: z.array(z.looseObject({ type: z.literal(1), components: z.array(discordButton).min(1).max(5) })).max(5).optional(),
  flags: z.number().int().optional(),
  allowed_mentions: z.looseObject({ parse: z.array(z.enum(['users', 'roles', 'everyone'])).optional(), users: z.array(z.string().regex(/^\d+$/)).max(100).optional() }).optional(),
});

/** A thread started from a message: its name is shown as plain text, mentions included. */
export const discordThread = z.looseObject({ name: readable('discord', 100, 1), auto_archive_duration: z.number().int().optional(), type: z.number().int().optional() });

/** An interaction callback: the response's data is a message (types 4 and 7) or nothing (deferrals). */
export const discordCallback = z.looseObject({ type: z.number().int(), data: discordMessage.optional() });

/** The first issue of a failed parse, as one line for a test's failure message. */
export function issueOf(r: { success: boolean; error?: z.ZodError }): string | undefined {
  if (r.success || !r.error) return undefined;
  const i = r.error.issues[0];
  return i ? `${i.path.join('.') || '(body)'}: ${i.message}` : 'does not fit';
}
