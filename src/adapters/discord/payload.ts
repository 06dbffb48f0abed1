import { z } from 'zod';
import type { Incoming } from './env.js';
import type { RawOption } from './options.js';
import { APPROVE_PREFIX, CONFIRM_PREFIX } from './render.js';

/*
 * Everything opsline reads from a Discord interaction, as schemas with Discord's own limits and the
 * limits of the columns values end up in (principal keys and rooms VARCHAR(128), author names
 * VARCHAR(128)). Fields opsline does not read are ignored. See docs/security.md.
 */

const snowflake = z.string().regex(/^\d{1,20}$/, 'not a Discord id');
// The token goes into webhook URL paths: its alphabet is checked, not only its length.
const token = z.string().regex(/^[A-Za-z0-9._-]{1,500}$/, 'not an interaction token');
const name = z.string().min(1).max(80);
const commandName = z.string().regex(/^[-_\p{L}\p{N}]{1,32}$/u, 'not a command or option name');

/**
 * Options nest at most three deep in Discord (group → subcommand → value), so the schema is three
 * fixed levels, not a recursive one: a body nested 1,000 deep is refused at the fourth level
 * without recursion (a recursive schema overflowed the stack on it).
 */
function optionLevel(inner: z.ZodType<readonly RawOption[]> | undefined): z.ZodType<RawOption> {
  return z.object({
    name: commandName,
    type: z.number().int().min(1).max(11),
    value: z.union([z.string().max(6000), z.number(), z.boolean()]).optional(),
    focused: z.boolean().optional(),
    options: inner ? inner.optional() : z.undefined({ error: 'options nested too deep' }),
  });
}
const optionList = (inner?: z.ZodType<readonly RawOption[]>): z.ZodType<readonly RawOption[]> => z.array(optionLevel(inner)).max(25);
export const rawOptions = optionList(optionList(optionList()));

const user = z.object({ id: snowflake, username: name, global_name: name.nullish() });

/** The fields of an HTTP interaction that opsline reads; the rest of Discord's payload is ignored. */
export const interactionPayload = z.object({
  id: snowflake,
  type: z.number().int(),
  token: token.optional(),
  guild_id: snowflake.optional(),
  channel_id: snowflake.optional(),
  channel: z.object({ id: snowflake }).optional(),
  member: z.object({ user, roles: z.array(snowflake).max(250).optional() }).optional(),
  user: user.optional(),
  // Commands carry a name; message components (the Confirm button) a custom_id.
  data: z
    .object({ name: commandName.optional(), type: z.number().int().optional(), options: rawOptions.optional(), custom_id: z.string().max(100).optional(), component_type: z.number().int().optional() })
    .optional(),
});

export type InteractionPayload = z.infer<typeof interactionPayload>;

/** The Incoming both modes build, checked once more (the gateway's comes from discord.js objects, not this payload). */
const incoming = z.object({
  id: snowflake,
  token,
  userId: snowflake,
  userName: name,
  guildId: snowflake.optional(),
  channelId: snowflake,
  command: commandName,
  options: rawOptions.optional(),
  receivedAt: z.date(),
});

/** The Incoming, or the first problem with it (`field: message`). */
export function checkIncoming(inc: Incoming): { readonly ok: Incoming } | { readonly bad: string } {
  const r = incoming.safeParse(inc);
  if (r.success) return { ok: inc };
  const i = r.error.issues[0];
  return { bad: i ? `${i.path.join('.') || 'interaction'}: ${i.message}` : 'invalid interaction' };
}

/** An application command or autocomplete payload as an Incoming, or undefined when a part is missing. */
export function incomingFrom(p: InteractionPayload, receivedAt: Date): Incoming | undefined {
  const u = p.member?.user ?? p.user;
  const channelId = p.channel?.id ?? p.channel_id;
  if (!u || !channelId || !p.data || !p.token) return undefined;
  const memberRoles = p.member?.roles;
  if (p.data.custom_id !== undefined) return confirmPress({ id: p.id, token: p.token, userId: u.id, userName: u.global_name ?? u.username, guildId: p.guild_id, channelId, receivedAt, memberRoles }, p.data.custom_id);
  if (p.data.name === undefined) return undefined;
  return {
    id: p.id,
    token: p.token,
    userId: u.id,
    userName: u.global_name ?? u.username,
    guildId: p.guild_id,
    channelId,
    command: p.data.name,
    options: p.data.options,
    receivedAt,
    memberRoles,
  };
}

/**
 * A Confirm or Approve button press as an Incoming for `/confirm <code>` or `/approve <code>` by
 * whoever pressed it, so the dispatcher decides (and audits) exactly as for a typed one. Any other
 * component: undefined.
 */
export function confirmPress(base: Omit<Incoming, 'command' | 'options'>, customId: string): Incoming | undefined {
  const [command, prefix] = customId.startsWith(CONFIRM_PREFIX) ? ['confirm', CONFIRM_PREFIX] : customId.startsWith(APPROVE_PREFIX) ? ['approve', APPROVE_PREFIX] : [];
  if (!command || !prefix) return undefined;
  return { ...base, command, options: [{ name: 'code', type: 3, value: customId.slice(prefix.length) }] };
}
