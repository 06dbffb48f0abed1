import { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { boltLogger } from './bolt-logger.js';
import type { RateBudget } from '../../services/budget/budget.js';
import { commandRenamer } from './names.js';
import { PacedSlackChat } from './paced-chat.js';
import { SlackTransport } from './transport.js';

type SlackConfig = NonNullable<Config['slack']>;

/** Web API client options shared by the adapter and worker-only transports. */
export function slackClientOptions(cfg: SlackConfig, logger: ReturnType<typeof boltLogger>) {
  return {
    slackApiUrl: cfg.apiUrl,
    logger,
    timeout: 10_000,
    // Bolt's default retries for half an hour; a live status must give up sooner and try the next edit.
    retryConfig: { retries: 3, factor: 2, minTimeout: 250, maxTimeout: 5_000 },
  };
}

/** A Web API client with the bot token; `retries` overrides the retry count (doctor: fail fast). */
export function slackWebClient(cfg: SlackConfig, logger: ReturnType<typeof boltLogger>, opts: { retries?: number } = {}): webApi.WebClient {
  const options = slackClientOptions(cfg, logger);
  const retryConfig = opts.retries === undefined ? options.retryConfig : { ...options.retryConfig, retries: opts.retries };
  return new webApi.WebClient(cfg.botToken, { ...options, retryConfig });
}

/**
 * chat.postMessage and chat.update with the bot token, paced by `budget`: the app's (`app.budget`), so every
 * client in the process, and with Redis every process, draws on one budget per workspace.
 */
export function pacedSlackChat(cfg: SlackConfig, log: Logger, budget: RateBudget): PacedSlackChat {
  return new PacedSlackChat(slackWebClient(cfg, boltLogger(log)), cfg.botToken, cfg.rateLimits, budget);
}

/** The Slack thread transport alone, for a worker that reports progress without running the adapter. */
export function createSlackTransport(cfg: SlackConfig, log: Logger, commandNames: readonly string[], budget: RateBudget): SlackTransport {
  return new SlackTransport(pacedSlackChat(cfg, log, budget), cfg.editIntervalMs, commandRenamer(cfg.commandPrefix, commandNames));
}
