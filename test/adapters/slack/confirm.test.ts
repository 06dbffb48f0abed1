import { describe, expect, it } from 'vitest';
import { hookedBot } from '../../helpers/hooked-bot.js';
import { SECRET, startSlackBot } from '../../helpers/slack-bot.js';
import { postSigned } from '../../helpers/slack-request.js';

let n = 0;

const t = hookedBot((hooks) => startSlackBot({ editIntervalMs: 0, deploy: { targets: [{ name: 'site', kind: 'webhook', url: hooks.url('/ok'), confirm: true }, { name: 'prod', kind: 'webhook', url: hooks.url('/ok'), approvers: ['deployer'] }] } }));

/** A signed block_actions request, as Slack sends a button press: `payload=<json>` on the events URL. */
function press(code: string, user: string, responseId: string, action = 'opsline_confirm') {
  const payload = {
    type: 'block_actions',
    team: { id: 'T1', domain: 'example' },
    user: { id: user, username: user.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A1',
    token: 'deprecated',
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C1', is_ephemeral: true },
    trigger_id: `trigger-press-${++n}-${Date.now()}`,
    channel: { id: 'C1', name: 'ops' },
    response_url: t.bot.slack.responseUrl(responseId),
    actions: [{ type: 'button', action_id: action, block_id: action, value: code, text: { type: 'plain_text', text: 'Press' }, action_ts: '1700000001.000200' }],
  };
  return postSigned(t.bot.url, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), { secret: SECRET });
}

describe('Slack confirm button', () => {
  it('asks with a Block Kit button; a press by someone else runs nothing; the owner’s press runs the deploy', async () => {
    const ask = await t.bot.command('/deploy site main');
    expect(ask.status).toBe(200);
    const blocks = ask.json?.blocks as { type: string; elements?: { action_id: string; value: string }[] }[];
    const button = blocks.find((b) => b.type === 'actions')?.elements?.[0];
    expect(button).toMatchObject({ action_id: 'opsline_confirm', value: expect.stringMatching(/^[A-Z2-9]{6}$/) });
    expect(ask.json?.text).toContain(`/confirm ${button!.value}`);

    const before = t.hooks.requests.length;
    expect((await press(button!.value, 'UVIEW', 'foreign')).status).toBe(200);
    const foreign = await t.bot.slack.waitFor(() => t.bot.slack.calls.find((c) => c.method === 'response_url' && String(c.body.text).includes('belongs to')));
    expect(foreign.body).toMatchObject({ replace_original: false, response_type: 'ephemeral', text: `confirmation ${button!.value} belongs to alice; only they can confirm it. Nothing was run` });
    expect(t.hooks.requests.length).toBe(before);

    expect((await press(button!.value, 'UADMIN', 'owner')).status).toBe(200);
    const ran = await t.bot.slack.waitFor(() => t.bot.slack.calls.find((c) => c.method === 'response_url' && /^deploy job d[a-z0-9]{6} of site at main queued/.test(String(c.body.text))));
    expect(ran.body).toMatchObject({ replace_original: true });
    await t.bot.slack.waitFor(() => t.bot.slack.callsOf('chat.postMessage').find((c) => /^<@UADMIN> deploy of site main finished ✔/.test(String(c.body.text))), 10_000);
    expect(t.hooks.requests.length).toBe(before + 1);
  });

  it('holds a deploy that needs approvers in the channel with an Approve button; another deployer’s press runs it', async () => {
    const ask = await t.bot.command('/deploy prod main');
    expect(ask.json?.response_type).toBe('in_channel');
    const blocks = ask.json?.blocks as { type: string; elements?: { action_id: string; value: string }[] }[];
    const button = blocks.find((b) => b.type === 'actions')?.elements?.[0];
    expect(button).toMatchObject({ action_id: 'opsline_approve', value: expect.stringMatching(/^[A-Z2-9]{6}$/) });
    const before = t.hooks.requests.length;
    expect((await press(button!.value, 'UADMIN', 'self', 'opsline_approve')).status).toBe(200);
    const self = await t.bot.slack.waitFor(() => t.bot.slack.calls.find((c) => c.method === 'response_url' && String(c.body.text).includes('is your own')));
    expect(self.body).toMatchObject({ replace_original: false, text: `request ${button!.value} is your own; someone else must approve it. Nothing was run` });
    // The viewer becomes a deployer for an hour (a grant), and may then approve.
    expect((await t.bot.command('/access grant <@UVIEW> deployer 1h second pair of eyes')).json?.text).toMatch(/^grant #\d+: slack:T1:UVIEW has the deployer role/);
    expect((await press(button!.value, 'UVIEW', 'other', 'opsline_approve')).status).toBe(200);
    const ran = await t.bot.slack.waitFor(() => t.bot.slack.calls.find((c) => c.method === 'response_url' && /^deploy job d[a-z0-9]{6} of prod at main queued/.test(String(c.body.text))));
    expect(ran.body).toMatchObject({ replace_original: true });
    await t.bot.slack.waitFor(() => t.bot.slack.callsOf('chat.postMessage').find((c) => /^<@UADMIN> deploy of prod main finished ✔/.test(String(c.body.text))), 10_000);
    expect(t.hooks.requests.length).toBe(before + 1);
    const [row] = await t.bot.app.services.audit.recent(1);
    expect(row).toMatchObject({ principalKey: 'slack:T1:UVIEW', command: 'approve', requesterKey: 'slack:T1:UADMIN', roleSource: 'config' });
  });

  it('acks a press of a button that is not opsline’s at once, and runs nothing', async () => {
    const ask = await t.bot.command('/deploy site main');
    const blocks = ask.json?.blocks as { type: string; elements?: { value: string }[] }[];
    const code = blocks.find((b) => b.type === 'actions')!.elements![0]!.value;
    const before = t.bot.slack.calls.length;
    const other = await press(code, 'UADMIN', 'other', 'someone_elses_button');
    expect(other.status).toBe(200);
    expect(other.text).toBe('');
    // The code is still pending: had the other button confirmed it, this press would find nothing to run.
    expect((await press(code, 'UADMIN', 'owner')).status).toBe(200);
    const replies = () => t.bot.slack.calls.slice(before).filter((c) => c.method === 'response_url');
    await t.bot.slack.waitFor(() => replies().find((c) => /^deploy job d[a-z0-9]{6} of site at main queued/.test(String(c.body.text))));
    expect(replies()).toHaveLength(1);
    // The deploy's thread ends before the next test counts calls.
    await t.bot.slack.waitFor(() => t.bot.slack.calls.slice(before).find((c) => c.method === 'chat.postMessage' && /^<@UADMIN> deploy of site main finished ✔/.test(String(c.body.text))), 10_000);
  });

  it('refuses an unsigned button press before anything runs', async () => {
    const before = t.bot.slack.calls.length;
    const r = await postSigned(t.bot.url, new URLSearchParams({ payload: '{}' }).toString(), { secret: 'wrong-secret' });
    expect(r.status).toBe(401);
    expect(t.bot.slack.calls.length).toBe(before);
  });
});
