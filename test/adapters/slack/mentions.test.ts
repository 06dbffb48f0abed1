import { describe, expect, it } from 'vitest';
import { hookedBot } from '../../helpers/hooked-bot.js';
import { startSlackBot, type SlackBot } from '../../helpers/slack-bot.js';

// A short test id (U1) is not of Slack's usual shape: the old marker reached chat.postMessage raw for it (issue 27).
const t = hookedBot((hooks) =>
  startSlackBot({
    editIntervalMs: 0,
    users: [{ key: 'slack:T1:U1', name: 'dora', roles: ['deployer'] }],
    deploy: { targets: [{ name: 'site', kind: 'webhook', url: hooks.url('/ok') }] },
  }),
);

const posts = (bot: SlackBot) => bot.slack.callsOf('chat.postMessage').map((c) => String(c.body.text));

describe('mentions in Slack threads', () => {
  it('are typed parts rendered as <@U…> for any Slack id, in the root and the final line; nothing private-use reaches Slack', async () => {
    const r = await t.bot.command('/deploy site main', { user_id: 'U1', user_name: 'dora' });
    expect(r.json?.text).toMatch(/^deploy job d[a-z0-9]{6} of site at main queued/);
    const final = await t.bot.slack.waitFor(() => posts(t.bot).find((p) => p.startsWith('<@U1> deploy of site main finished')), 10_000);
    expect(final).toMatch(/^<@U1> deploy of site main finished ✔/);
    expect(posts(t.bot)[0]).toMatch(/^deploying site at main for <@U1> \(job d[a-z0-9]{6}\)$/);
    // The double checks every body as a person reads it (test/helpers/platform-bodies.ts).
    expect(t.bot.slack.violations).toEqual([]);
  });
});
