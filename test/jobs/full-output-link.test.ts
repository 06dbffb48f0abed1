import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordBot, USERS, type DiscordBot } from '../helpers/discord-bot.js';
import { HookServer } from '../helpers/hook-server.js';
import { startSlackBot, type SlackBot } from '../helpers/slack-bot.js';

// With web.publicUrl, a job thread's first and final lines link to the job's page (docs/web.md); the
// platform doubles check every body they receive against the platform's schema and limits.
const PUBLIC = 'https://ops.example.com';
let hooks: HookServer;
let slack: SlackBot;
let discord: DiscordBot;
beforeAll(async () => {
  hooks = await new HookServer().start();
  const deploy = { targets: [{ name: 'site', kind: 'webhook' as const, url: hooks.url('/ok') }] };
  slack = await startSlackBot({ editIntervalMs: 0, deploy, web: { publicUrl: PUBLIC } });
  discord = await startDiscordBot({ mode: 'http', deploy, web: { publicUrl: PUBLIC } });
});
afterAll(async () => {
  await slack?.stop();
  await discord?.stop();
  await hooks?.stop();
});

describe('full output: <url> in job threads', () => {
  it('ends a Slack deploy thread with a link to the job page', async () => {
    await slack.command('/deploy site main');
    const final = await slack.slack.waitFor(() => slack.slack.callsOf('chat.postMessage').find((c) => String(c.body.text).includes('deploy of site main finished ✔')), 10_000);
    expect(String(final.body.text)).toMatch(new RegExp(` · full output: <?${PUBLIC}/web/jobs/d[a-z0-9]{6}>?$`));
    const root = slack.slack.callsOf('chat.postMessage').find((c) => c.body.thread_ts === undefined && String(c.body.text).includes('full output'));
    expect(root, 'the first line links too').toBeDefined();
  });

  it('ends a Discord deploy thread with a link to the job page', async () => {
    const options = [{ name: 'run', type: 1, options: [{ name: 'target', type: 3, value: 'site' }, { name: 'ref', type: 3, value: 'main' }] }];
    const r = await discord.post(discord.double.interaction({ command: 'deploy', options, userId: USERS.admin, userName: 'alice' }));
    expect(r.status).toBe(200);
    const final = await discord.double.waitFor(() => discord.double.callsTo('POST', /\/channels\/\d+\/messages$/).find((c) => String(c.body?.content).includes('deploy of site main finished ✔')), 10_000);
    expect(String(final.body?.content)).toMatch(new RegExp(` · full output: <?${PUBLIC}/web/jobs/d[a-z0-9]{6}>?$`));
  });
});
