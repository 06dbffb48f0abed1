/** Gateway and REST payloads shaped like Discord's, with just the fields discord.js reads. */

export const IDS = {
  application: '1100000000000000001',
  guild: '1100000000000000002',
  channel: '1100000000000000003',
  bot: '1100000000000000004',
  command: '1100000000000000005',
} as const;

const NOW = () => new Date().toISOString();

export function userPayload(id: string, username: string, bot = false) {
  return { id, username, discriminator: '0', global_name: null, avatar: null, bot, flags: 0 };
}

export function readyPayload(sessionId: string, resumeUrl: string, guildIds: readonly string[]) {
  return {
    v: 10,
    user: userPayload(IDS.bot, 'opsline', true),
    guilds: guildIds.map((id) => ({ id, unavailable: true })),
    session_id: sessionId,
    resume_gateway_url: resumeUrl,
    shard: [0, 1],
    application: { id: IDS.application, flags: 0 },
  };
}

export function guildPayload(id: string, channelIds: readonly string[], roleIds: readonly string[] = []) {
  return {
    id,
    name: `guild ${id}`,
    icon: null,
    owner_id: '1100000000000000099',
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [id, ...roleIds].map((r, i) => ({ id: r, name: i ? `role ${r}` : '@everyone', permissions: '0', position: i, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 })),
    emojis: [],
    features: [],
    mfa_level: 0,
    system_channel_flags: 0,
    premium_tier: 0,
    preferred_locale: 'en-US',
    nsfw_level: 0,
    stickers: [],
    premium_progress_bar_enabled: false,
    joined_at: NOW(),
    large: false,
    unavailable: false,
    member_count: 2,
    voice_states: [],
    members: [],
    channels: channelIds.map((c, i) => channelPayload(c, id, i)),
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
  };
}

export function channelPayload(id: string, guildId: string, position = 0) {
  return { id, type: 0, guild_id: guildId, name: `ops-${position}`, position, permission_overwrites: [], parent_id: null, nsfw: false };
}

export interface InteractionSpec {
  readonly id: string;
  readonly token: string;
  /** 2 = application command, 4 = autocomplete. */
  readonly type?: 2 | 4;
  readonly command: string;
  readonly options?: readonly unknown[];
  readonly userId: string;
  readonly userName?: string;
  readonly guildId?: string;
  readonly channelId?: string;
  /** The member's guild role ids (access.discordRoles). */
  readonly memberRoles?: readonly string[];
}

export function interactionPayload(s: InteractionSpec) {
  const guildId = s.guildId ?? IDS.guild;
  const channelId = s.channelId ?? IDS.channel;
  const user = userPayload(s.userId, s.userName ?? `user${s.userId.slice(-4)}`);
  return {
    id: s.id,
    application_id: IDS.application,
    type: s.type ?? 2,
    token: s.token,
    version: 1,
    guild_id: guildId,
    channel_id: channelId,
    channel: channelPayload(channelId, guildId),
    member: { user, roles: [...(s.memberRoles ?? [])], permissions: '2248473465835073', joined_at: NOW(), deaf: false, mute: false, flags: 0, pending: false, nick: null, avatar: null },
    data: { id: IDS.command, name: s.command, type: 1, options: s.options ?? [], guild_id: guildId },
    locale: 'en-US',
    guild_locale: 'en-US',
    app_permissions: '2248473465835073',
    entitlements: [],
    authorizing_integration_owners: { '0': guildId },
    context: 0,
  };
}

export function messagePayload(id: string, channelId: string, content: string, authorId = IDS.bot, flags = 0) {
  return {
    id,
    channel_id: channelId,
    author: userPayload(authorId, 'opsline', true),
    content,
    timestamp: NOW(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: 0,
    flags,
  };
}
