import { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { boltLogger } from './bolt-logger.js';
import { commandRenamer } from './names.js';
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

/** The Slack thread transport alone, for a worker that reports progress without running the adapter. */
export function createSlackTransport(cfg: SlackConfig, log: Logger, commandNames: readonly string[]): SlackTransport {
  const client = new webApi.WebClient(cfg.botToken, slackClientOptions(cfg, boltLogger(log)));
  return new SlackTransport(client, cfg.editIntervalMs, commandRenamer(cfg.commandPrefix, commandNames));
}
