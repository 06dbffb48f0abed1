import { Routes } from 'discord-api-types/v10';
import { pino } from 'pino';
import type { Config } from '../config/schema.js';
import type { Check } from '../doctor/types.js';
import { createDiscordRest } from './discord/rest.js';
import { boltLogger } from './slack/bolt-logger.js';
import { slackWebClient } from './slack/client.js';

/** The platform tokens work: Slack's auth.test, Discord's current user. */
export function platformChecks(config: Config): Check[] {
  const checks: Check[] = [];
  const { slack, discord } = config;
  if (slack) {
    checks.push({
      name: 'slack',
      target: slack.apiUrl,
      silentFix: "may this host reach Slack's API over https (firewall, proxy)?",
      async run() {
        const client = slackWebClient(slack, boltLogger(pino({ level: 'silent' })), { retries: 0 });
        const r = await client.auth.test();
        return `bot token works: team ${r.team_id ?? '?'}, bot user ${r.user_id ?? '?'} (${slack.mode} mode)`;
      },
    });
  }
  if (discord) {
    checks.push({
      name: 'discord',
      target: discord.apiUrl,
      silentFix: "may this host reach Discord's API over https (firewall, proxy)?",
      async run() {
        const me = (await createDiscordRest(discord).get(Routes.user())) as { id?: string; username?: string };
        if (me.id !== discord.applicationId) return `bot token works: ${me.username ?? '?'} (${me.id ?? '?'}); note: applicationId is ${discord.applicationId}`;
        return `bot token works: ${me.username ?? '?'} (${me.id}) (${discord.mode} mode)`;
      },
    });
  }
  return checks;
}
