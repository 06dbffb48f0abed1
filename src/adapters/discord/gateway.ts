import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, Routes, type GuildMemberRoleManager, type ChatInputCommandInteraction, type AutocompleteInteraction, type Interaction } from 'discord.js';
import type { Adapter, DispatchFn } from '../types.js';
import { handleAutocomplete } from './autocomplete.js';
import type { Incoming, InteractionEnv } from './env.js';
import { handleCommand } from './handle-command.js';
import { confirmPress } from './payload.js';
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
      if (i.isChatInputCommand()) await handleCommand(incoming(i), this.#responder(i), dispatch, this.env);
      else if (i.isAutocomplete()) await handleAutocomplete(incoming(i), this.#responder(i), this.env);
      else if (i.isButton()) {
        const base = { id: i.id, token: i.token, userId: i.user.id, userName: i.user.globalName ?? i.user.username, guildId: i.guildId ?? undefined, channelId: i.channelId, receivedAt: new Date(), memberRoles: memberRoles(i) };
        const press = confirmPress(base, i.customId);
        if (press) await handleCommand(press, this.#responder(i), dispatch, this.env);
      }
    } catch (err) {
      this.env.log.error({ err, interactionId: i.id }, 'discord interaction failed');
    }
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
