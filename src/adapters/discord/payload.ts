import { z } from 'zod';
import type { Incoming } from './env.js';
import type { RawOption } from './options.js';
import { APPROVE_PREFIX, CONFIRM_PREFIX } from './render.js';

const user = z.object({ id: z.string().regex(/^\d+$/), username: z.string(), global_name: z.string().nullish() });
const option: z.ZodType<RawOption> = z.lazy(() =>
  z.object({
    name: z.string(),
    type: z.number(),
    value: z.unknown().optional(),
    focused: z.boolean().optional(),
    options: z.array(option).optional(),
  }),
);

/** The fields of an HTTP interaction that opsline reads; the rest of Discord's payload is ignored. */
export const interactionPayload = z.object({
  id: z.string(),
  type: z.number(),
  token: z.string().optional(),
  guild_id: z.string().optional(),
  channel_id: z.string().optional(),
  channel: z.object({ id: z.string() }).optional(),
  member: z.object({ user, roles: z.array(z.string().regex(/^\d+$/)).max(250).optional() }).optional(),
  user: user.optional(),
  // Commands carry a name; message components (the Confirm button) a custom_id.
  data: z
    .object({ name: z.string().optional(), type: z.number().optional(), options: z.array(option).optional(), custom_id: z.string().max(100).optional(), component_type: z.number().optional() })
    .optional(),
});

export type InteractionPayload = z.infer<typeof interactionPayload>;

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
