import { describe, expect, it } from 'vitest';
import { hookedBot } from '../../helpers/hooked-bot.js';
import { startSlackBot } from '../../helpers/slack-bot.js';


const t = hookedBot((hooks) => startSlackBot({ mode: 'socket', editIntervalMs: 0, deploy: { targets: [{ name: 'site', kind: 'webhook', url: hooks.url('/ok'), confirm: true }] } }));

const slash = (trigger: string) => ({
  token: 'x', team_id: 'T1', team_domain: 'example', channel_id: 'C7', channel_name: 'ops', user_id: 'UADMIN', user_name: 'alice',
  command: '/deploy', text: 'site main', api_app_id: 'A1', response_url: t.bot.slack.responseUrl(trigger), trigger_id: trigger,
});

const press = (code: string, user: string, trigger: string) => ({
  type: 'block_actions',
  team: { id: 'T1', domain: 'example' },
  user: { id: user, username: user.toLowerCase(), team_id: 'T1' },
  api_app_id: 'A1',
  token: 'x',
  container: { type: 'message', channel_id: 'C7', is_ephemeral: true },
  trigger_id: trigger,
  channel: { id: 'C7', name: 'ops' },
  response_url: t.bot.slack.responseUrl(trigger),
  actions: [{ type: 'button', action_id: 'opsline_confirm', block_id: 'opsline_confirm', value: code, action_ts: '1' }],
});

describe('Slack confirm button in Socket Mode', () => {
  it('takes the press over the socket: a foreign one is refused, the owner’s deploys', async () => {
    const ack = await t.bot.slack.sendEnvelope('slash_commands', slash('sc-1'), 'env-c1');
    const blocks = (ack.payload as { blocks: { type: string; elements?: { value: string }[] }[] }).blocks;
    const code = blocks.find((b) => b.type === 'actions')!.elements![0]!.value;

    await t.bot.slack.sendEnvelope('interactive', press(code, 'UVIEW', 'sc-2'), 'env-c2');
    const foreign = await t.bot.slack.waitFor(() => t.bot.slack.calls.find((c) => c.method === 'response_url' && String(c.body.text).includes('belongs to alice')));
    expect(foreign.body).toMatchObject({ replace_original: false });
    expect(t.hooks.requests).toHaveLength(0);

    await t.bot.slack.sendEnvelope('interactive', press(code, 'UADMIN', 'sc-3'), 'env-c3');
    await t.bot.slack.waitFor(() => t.hooks.requests.length === 1 || undefined, 10_000);
    await t.bot.slack.waitFor(() => t.bot.slack.callsOf('chat.postMessage').find((c) => String(c.body.text).startsWith('<@UADMIN> deploy of site main finished ✔')), 10_000);
  });
});
