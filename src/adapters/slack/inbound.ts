import { z } from 'zod';

/*
 * Everything opsline reads from a Slack request, as schemas with the limits of the columns it ends
 * up in (notes.room and audit_log.room VARCHAR(128), principal keys VARCHAR(128), author names
 * VARCHAR(128)). Fields opsline does not read are ignored, never trusted. See docs/security.md.
 */

/** Slack ids (T…, U…, C…): short, and a principal key `slack:<team>:<user>` must fit in 128 characters. */
const slackId = z.string().regex(/^[A-Z0-9]{1,32}$/, 'not a Slack id');
const name = z.string().max(80);
const responseUrl = z.url({ protocol: /^https?$/ }).max(1024);
const triggerId = z.string().min(1).max(128);

export const slashCommand = z.object({
  command: z.string().regex(/^\/[\w-]{1,32}$/, 'not a slash command name'),
  text: z.string().max(4000).default(''),
  team_id: slackId,
  user_id: slackId,
  user_name: name.optional(),
  channel_id: slackId,
  trigger_id: triggerId.optional(),
  response_url: responseUrl.optional(),
});
export type SlashCommandIn = z.infer<typeof slashCommand>;

export const blockActions = z.object({
  type: z.literal('block_actions'),
  team: z.object({ id: slackId }).nullish(),
  user: z.object({ id: slackId, username: name.optional(), name: name.optional(), team_id: slackId.optional() }),
  channel: z.object({ id: slackId }).optional(),
  trigger_id: triggerId.optional(),
  response_url: responseUrl.optional(),
  actions: z.array(z.object({ type: z.string().max(64), action_id: z.string().max(255), value: z.string().max(2000).optional() })).min(1).max(25),
});
export type BlockActionsIn = z.infer<typeof blockActions>;

/**
 * What opsline accepts on the events URL; anything else is a 400. Commands and presses run; Bolt
 * answers Slack's `url_verification` and `ssl_check=1` (`bolt`); the rest (Events API callbacks,
 * other interactive payloads) is acknowledged and runs nothing (`ignored`).
 */
export type Inbound =
  | { readonly kind: 'command'; readonly body: SlashCommandIn }
  | { readonly kind: 'action'; readonly body: BlockActionsIn }
  | { readonly kind: 'bolt' }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'bad'; readonly reason: string };

/** The first problem zod found, as `field: message` for a 400 body or a short reply. */
export function firstIssue(err: z.ZodError): string {
  const i = err.issues[0];
  return i ? `${i.path.join('.') || 'body'}: ${i.message}` : 'invalid';
}

/**
 * Reads a verified request body strictly. A form key given twice is refused (Bolt's parser would
 * turn it into an array where a string is expected); JSON bodies must be objects.
 */
export function readInbound(contentType: string | undefined, raw: string): Inbound {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    const json = parseJson(raw);
    // Events API and url_verification: opsline listens to no events, Bolt answers the challenge.
    if (json === undefined || typeof json !== 'object' || json === null || Array.isArray(json)) return { kind: 'bad', reason: 'body: not a JSON object' };
    // Slack sends commands as forms, never as JSON: a JSON body runs nothing, whatever fields it has.
    return Object.hasOwn(json, 'type') && (json as { type: unknown }).type === 'url_verification' ? { kind: 'bolt' } : { kind: 'ignored' };
  }
  if (type !== 'application/x-www-form-urlencoded') return { kind: 'bad', reason: 'content-type: not a form or JSON' };
  const form = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(raw)) {
    if (form.has(k)) return { kind: 'bad', reason: `${k}: given more than once` };
    form.set(k, v);
  }
  const payload = form.get('payload');
  if (payload !== undefined) {
    const json = parseJson(payload) as { type?: unknown } | undefined;
    if (typeof json !== 'object' || json === null) return { kind: 'bad', reason: 'payload: not JSON' };
    if (json.type !== 'block_actions') return { kind: 'ignored' };
    const p = blockActions.safeParse(json);
    return p.success ? { kind: 'action', body: p.data } : { kind: 'bad', reason: firstIssue(p.error) };
  }
  // Bolt answers exactly `ssl_check=1`; any other value is read as a command like the rest of the form.
  if (form.get('ssl_check') === '1') return { kind: 'bolt' };
  const p = slashCommand.safeParse(Object.fromEntries(form));
  return p.success ? { kind: 'command', body: p.data } : { kind: 'bad', reason: firstIssue(p.error) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
