import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatPosters } from '../../src/adapters/posters.js';
import { DiscordDouble } from '../helpers/discord-double.js';
import { SlackDouble } from '../helpers/slack-double.js';
import { ADMIN, TestAdapter, users } from '../helpers/test-adapter.js';

const DISCORD_CHANNEL = '1300000000000000001';
const ONCALL = '80351110224678912';
let slack: SlackDouble;
let discord: DiscordDouble;
let bot: TestAdapter;

beforeAll(async () => {
  slack = await new SlackDouble().start();
  discord = await new DiscordDouble().start();
  bot = await TestAdapter.create({
    config: {
      access: { users: users({ [ADMIN]: ['admin'] }) },
      slack: { signingSecret: 'test-signing-secret-0123', botToken: 'xoxb-test', apiUrl: slack.apiUrl },
      discord: { token: discord.botToken, applicationId: '1100000000000000001', apiUrl: discord.apiUrl },
      status: { table: 'demo.tasks', statusColumn: 'task_status', timeColumn: 'created_at', statuses: ['Success', 'Pending', 'Failed'] },
      // Hourly: these tests run them by hand.
      schedules: [{ name: 'notes', every: '1h', command: '/note list 1', post: { platform: 'slack', channel: 'CNOTES' } }],
      alerts: [
        { name: 'slack-any', every: '1h', window: 'all', status: 'Success', above: 0, post: { platform: 'slack', channel: 'CALERTS' }, mention: ['slack:T1:UONCALL'] },
        { name: 'discord-any', every: '1h', window: 'all', status: 'Success', above: 0, post: { platform: 'discord', channel: DISCORD_CHANNEL }, mention: [`discord:${ONCALL}`] },
      ],
    },
  });
  await bot.app.startSchedules(chatPosters(bot.app, pino({ level: 'silent' })));
});
afterAll(async () => {
  await bot.app.stop();
  await slack.stop();
  await discord.stop();
});

describe('posting to a channel', () => {
  it('Slack: the command text is escaped, so a note cannot ping the channel', async () => {
    await bot.say(ADMIN, '/note add deploy at 5 <!channel> <@UBOSS>');
    expect(await bot.text(ADMIN, '/schedule run notes')).toBe('notes: posted');
    const [post] = slack.callsOf('chat.postMessage').filter((c) => c.body.channel === 'CNOTES');
    expect(post?.body.text).toMatch(/^\[notes, run by hand\] #3 admin · just now — deploy at 5 &lt;!channel&gt; &lt;@UBOSS&gt;/);
  });

  it('Slack: an alert mentions the listed user as <@U…>', async () => {
    expect(await bot.text(ADMIN, '/schedule run slack-any')).toMatch(/^slack-any: fired, posted: \d+ Success in all \(alert above 0\)$/);
    const [post] = slack.callsOf('chat.postMessage').filter((c) => c.body.channel === 'CALERTS');
    expect(post?.body.text).toMatch(/^🔴 alert slack-any: \d+ Success in all \(alert above 0\) <@UONCALL>$/);
  });

  it('Discord: a channel message that may notify only the listed users', async () => {
    expect(await bot.text(ADMIN, '/schedule run discord-any')).toMatch(/^discord-any: fired, posted/);
    const [call] = discord.callsTo('POST', new RegExp(`^/channels/${DISCORD_CHANNEL}/messages$`));
    expect(call?.auth).toBe(`Bot ${discord.botToken}`);
    expect(call?.body?.content).toMatch(new RegExp(`^🔴 alert discord-any: \\d+ Success in all \\(alert above 0\\) <@${ONCALL}>$`));
    expect(call?.body?.allowed_mentions).toEqual({ parse: [], users: [ONCALL] });
    // Run again: no transition, no post.
    expect(await bot.text(ADMIN, '/schedule run discord-any')).toMatch(/^discord-any: firing, no change/);
    expect(discord.callsTo('POST', new RegExp(`^/channels/${DISCORD_CHANNEL}/messages$`))).toHaveLength(1);
  });
});
