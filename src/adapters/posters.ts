import type { Logger } from 'pino';
import type { App } from '../app/main.js';
import type { ChannelPoster } from '../schedules/types.js';
import { DiscordPoster } from './discord/poster.js';
import { pacedDiscordRest } from './discord/paced-rest.js';
import { pacedSlackChat } from './slack/client.js';
import { commandRenamer } from './slack/names.js';
import { SlackPoster } from './slack/poster.js';

/** Channel posters for every configured chat platform, from config alone (no adapter needed). */
export function chatPosters(app: App, log: Logger): ChannelPoster[] {
  const { slack, discord } = app.config;
  const posters: ChannelPoster[] = [];
  if (slack) {
    posters.push(new SlackPoster(pacedSlackChat(slack, log.child({ adapter: 'slack' }), app.budget), commandRenamer(slack.commandPrefix, app.registry.all().map((c) => c.name))));
  }
  if (discord) posters.push(new DiscordPoster(pacedDiscordRest(discord, app.budget)));
  return posters;
}
