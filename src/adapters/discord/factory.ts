import { RecentKeys, RedisSeenKeys, type SeenKeys } from '../../services/seen-keys.js';
import type { Adapter, AdapterEnv } from '../types.js';
import { builtInCompleters, type Completers } from './completions.js';
import type { InteractionEnv } from './env.js';
import type { DiscordConfig } from './config.js';
import { DiscordHttpAdapter } from './http.js';
import { createDiscordRest } from './rest.js';
import { DiscordTransport } from './transport.js';
import { pacedDiscordRest } from './paced-rest.js';
import type { RateBudget } from '../../services/budget/budget.js';
import { ed25519Verifier } from './verify.js';

export interface DiscordOptions {
  /** Completion sources that replace or add to the built-in ones (tests, extensions). */
  readonly completers?: Completers;
  /** Defer when the reply is not ready by then; Discord's deadline is 3 s, transit takes some of it. */
  readonly deferAfterMs?: number;
  /** HTTP mode: where interaction ids are remembered; default Redis when configured, else this process. */
  readonly seen?: SeenKeys;
}

/** The Discord thread transport alone: for a worker that reports progress without running the adapter. */
export function createDiscordTransport(config: DiscordConfig, budget: RateBudget): DiscordTransport {
  return new DiscordTransport(pacedDiscordRest(config, budget), config.editIntervalMs);
}

/**
 * Builds the Discord adapter for `discord.mode` (gateway or http) and registers the thread
 * transport; undefined when the `discord` section is absent.
 */
export async function createDiscordAdapter(env: AdapterEnv, opts: DiscordOptions = {}): Promise<Adapter | undefined> {
  const config = env.app.config.discord;
  if (!config) return undefined;
  const log = env.log.child({ adapter: 'discord' });
  // discord.js (the gateway client, some 600 modules) is loaded only in gateway mode: HTTP mode
  // needs only @discordjs/rest, and loading it cost `opsline start` half a second (docs/testing.md, start).
  const gateway = config.mode === 'gateway' ? await import('./gateway.js') : undefined;
  // In gateway mode the client's own REST instance is reused so that one rate-limit state covers all calls.
  const client = gateway?.createGatewayClient(config.apiUrl);
  const rest = client ? client.rest.setToken(config.token) : createDiscordRest(config);
  const transport = new DiscordTransport(pacedDiscordRest(config, env.app.budget, rest), config.editIntervalMs);
  env.app.transports.add(transport);
  const ienv: InteractionEnv = {
    config,
    rest,
    transport,
    registry: env.app.registry,
    access: env.app.access,
    audit: env.app.services.audit,
    completers: { ...builtInCompleters(env.app.config, env.app.services), ...opts.completers },
    log,
    deferAfterMs: opts.deferAfterMs ?? 1500,
  };
  if (client) {
    // A replica whose gateway session is down receives no interactions: /readyz says so.
    env.http.readyCheck('discord', async () => (client.isReady() ? undefined : 'discord gateway not connected'));
    return new gateway!.DiscordGatewayAdapter(client, ienv);
  }
  // The schema requires publicKey in http mode; this check only narrows the type.
  if (!config.publicKey) throw new Error('discord.publicKey is required when discord.mode is http');
  // With Redis, a replay that reaches another replica is caught too.
  const redis = env.app.config.redis;
  const seen = opts.seen ?? (redis ? new RedisSeenKeys(redis, redis.prefix, new RecentKeys(), log) : new RecentKeys());
  return new DiscordHttpAdapter(env.http, ed25519Verifier(config.publicKey), ienv, seen);
}

/** The factory `opsline start` runs. */
export const discordAdapterFactory = (env: AdapterEnv): Promise<Adapter | undefined> => createDiscordAdapter(env);
