import { describe, expect, it } from 'vitest';
import { discordMessage, discordThread, issueOf, slackMethodBody } from '../helpers/platform-bodies.js';

const slack = (method: string, body: unknown) => issueOf(slackMethodBody.get(method)!.safeParse(body));
const discord = (body: unknown) => issueOf(discordMessage.safeParse(body));

describe('what the platform doubles accept', () => {
  it('takes the bodies the bot writes: a mention, escaped text, a Confirm button', () => {
    expect(slack('chat.postMessage', { channel: 'C1', text: '<@U1> deploy of site main finished &lt;ok&gt;' })).toBeUndefined();
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'deploy site?' } }, { type: 'actions', block_id: 'a', elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'Confirm' }, value: 'ABC123', style: 'danger' }] }];
    expect(slack('ack', { response_type: 'ephemeral', text: 'deploy site?', blocks })).toBeUndefined();
    expect(discord({ content: 'for <@80351110224678912> (job d1)', allowed_mentions: { parse: [], users: ['80351110224678912'] } })).toBeUndefined();
  });

  it('refuses a private-use character and a half-written mention, as a person would', () => {
    expect(slack('chat.postMessage', { channel: 'C1', text: 'for \uE000bcfb388c770ba1f2:U1\uE001 (job 1)' })).toMatch(/private-use character U\+E000/);
    expect(slack('chat.update', { channel: 'C1', ts: '1.2', text: 'for <@U1 (job 1)' })).toMatch(/half-written mention/);
    expect(issueOf(discordThread.safeParse({ name: 'deploying site at main for <@80351110224678912 (job d1)' }))).toMatch(/half-written mention/);
    expect(discord({ content: 'a \u{F0000} b' })).toMatch(/private-use character U\+F0000/);
  });

  it("refuses what breaks the platforms' published limits", () => {
    expect(discord({ content: 'x'.repeat(2001) })).toMatch(/content/);
    expect(issueOf(discordThread.safeParse({ name: 'x'.repeat(101) }))).toMatch(/name/);
    expect(slack('response_url', { text: 'x'.repeat(4001) })).toMatch(/text/);
    expect(slack('ack', { text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }] })).toMatch(/blocks/);
    expect(slack('chat.postMessage', { text: 'no channel' })).toMatch(/channel/);
  });
});
