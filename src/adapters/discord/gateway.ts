import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, InteractionResponseType, MessageFlags, Routes, type GuildMemberRoleManager, type ChatInputCommandInteraction, type AutocompleteInteraction, type Interaction } from 'discord.js';
import type { Adapter, DispatchFn } from '../types.js';
import { handleAutocomplete } from './autocomplete.js';
import type { Incoming, InteractionEnv } from './env.js';
import { handleCommand } from './handle-command.js';
import { checkIncoming, confirmPress } from './payload.js';
import type { Responder } from './session.js';

/** A gateway client that only needs the Guilds intent: interactions arrive without privileged intents. */
export function createGatewayClient(apiUrl: string): Client {
  return new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: apiUrl } });
}

/**
 * Slash commands over the gateway. discord.js owns the connection (heartbeats, resume, sharding);
 * answers go through the same REST calls as in HTTP mode, so both modes share one code path.
 */
export class DiscordGatewayAdapter implements Adapter {
  readonly name = 'discord';

  constructor(
    private readonly client: Client,
    private readonly env: InteractionEnv,
  ) {}

  async start(dispatch: DispatchFn): Promise<void> {
    this.client.on(Events.InteractionCreate, (i) => void this.#route(i, dispatch));
    this.client.on(Events.Error, (err) => this.env.log.error({ err }, 'discord gateway error'));
    const ready = once(this.client, Events.ClientReady);
    await this.client.login(this.env.config.token);
    await ready;
    this.env.log.info({ user: this.client.user?.id, guilds: this.client.guilds.cache.size }, 'discord gateway ready');
  }

  async stop(): Promise<void> {
    await this.client.destroy();
  }

  async #route(i: Interaction, dispatch: DispatchFn): Promise<void> {
    try {
      if (i.isChatInputCommand()) {
        const inc = await this.#checked(i, incoming(i));
        if (inc) await handleCommand(inc, this.#responder(i), dispatch, this.env);
      } else if (i.isAutocomplete()) {
        const inc = checkIncoming(incoming(i));
        if ('ok' in inc) await handleAutocomplete(inc.ok, this.#responder(i), this.env);
        // A malformed autocomplete gets no suggestions; there is nothing else to say to it.
        else await this.#responder(i).callback({ type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: [] } });
      } else if (i.isButton()) {
        const base = { id: i.id, token: i.token, userId: i.user.id, userName: i.user.globalName ?? i.user.username, guildId: i.guildId ?? undefined, channelId: i.channelId, receivedAt: new Date() };
        const press = confirmPress(base, i.customId);
        const inc = press && (await this.#checked(i, press));
        if (inc) await handleCommand(inc, this.#responder(i), dispatch, this.env);
      }
    } catch (err) {
      this.env.log.error({ err, interactionId: i.id }, 'discord interaction failed');
    }
  }

  /**
   * discord.js builds these objects from gateway frames without limits of opsline's own; the same
   * checks as for HTTP interactions apply (src/adapters/discord/payload.ts). A refusal is one short
   * private reply; nothing is dispatched, so nothing is stored.
   */
  async #checked(i: Interaction, inc: Incoming): Promise<Incoming | undefined> {
    const r = checkIncoming(inc);
    if ('ok' in r) return r.ok;
    this.env.log.warn({ interactionId: i.id, reason: r.bad }, 'refused a malformed interaction');
    const content = `opsline cannot read this interaction (${r.bad.slice(0, 200)})`;
    await this.#responder(i).callback({ type: InteractionResponseType.ChannelMessageWithSource, data: { content, flags: MessageFlags.Ephemeral, allowed_mentions: { parse: [] } } });
    return undefined;
  }

  #responder(i: Interaction): Responder {
    return {
      callback: async (body) => {
        await this.env.rest.post(Routes.interactionCallback(i.id, i.token), { body, auth: false });
      },
    };
  }
}

function incoming(i: ChatInputCommandInteraction | AutocompleteInteraction): Incoming {
  return {
    id: i.id,
    token: i.token,
    userId: i.user.id,
    userName: i.user.globalName ?? i.user.username,
    guildId: i.guildId ?? undefined,
    channelId: i.channelId,
    command: i.commandName,
    options: i.options.data,
    receivedAt: new Date(),
    memberRoles: memberRoles(i),
  };
}

/** The member's guild role ids: from the cached guild's member, or the raw member of an uncached guild. */
function memberRoles(i: Interaction): readonly string[] | undefined {
  const m = i.member;
  if (!m) return undefined;
  return Array.isArray(m.roles) ? m.roles : [...(m.roles as GuildMemberRoleManager).cache.keys()];
}
