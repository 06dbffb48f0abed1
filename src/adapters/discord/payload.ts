import { z } from 'zod';
import type { Incoming } from './env.js';
import type { RawOption } from './options.js';

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
  member: z.object({ user }).optional(),
  user: user.optional(),
  data: z.object({ name: z.string(), type: z.number().optional(), options: z.array(option).optional() }).optional(),
});

export type InteractionPayload = z.infer<typeof interactionPayload>;

/** An application command or autocomplete payload as an Incoming, or undefined when a part is missing. */
export function incomingFrom(p: InteractionPayload, receivedAt: Date): Incoming | undefined {
  const u = p.member?.user ?? p.user;
  const channelId = p.channel?.id ?? p.channel_id;
  if (!u || !channelId || !p.data || !p.token) return undefined;
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
  };
}
