import type { REST } from 'discord.js';
import type { Logger } from 'pino';
import type { Access } from '../../core/access.js';
import type { AuditSink } from '../../core/audit.js';
import type { Registry } from '../../core/registry.js';
import type { Completers } from './completions.js';
import type { DiscordConfig } from './config.js';
import type { RawOption } from './options.js';
import type { DiscordTransport } from './transport.js';

/** Everything the interaction handlers share; built once by the factory. */
export interface InteractionEnv {
  readonly config: DiscordConfig;
  readonly rest: REST;
  readonly transport: DiscordTransport;
  readonly registry: Registry;
  readonly access: Access;
  readonly audit: AuditSink;
  readonly completers: Completers;
  readonly log: Logger;
  /** When the reply is not ready by then, the interaction is deferred (Discord's deadline is 3 s). */
  readonly deferAfterMs: number;
}

/** One interaction, the same whether it came over the gateway or as an HTTP request. */
export interface Incoming {
  readonly id: string;
  readonly token: string;
  readonly userId: string;
  readonly userName: string;
  readonly guildId?: string;
  readonly channelId: string;
  readonly command: string;
  readonly options?: readonly RawOption[];
  /** The member's guild role ids, as the interaction carries them (access.discordRoles). */
  readonly memberRoles?: readonly string[];
  readonly receivedAt: Date;
}
