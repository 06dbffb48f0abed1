import { webApi } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { SlackDouble } from '../../helpers/slack-double.js';
import { SLACK_PUBLISHED, SlackLimiter, type SlackLimits } from '../../helpers/slack-limits.js';

// Slow buckets (one token a minute), so nothing refills while a test runs, however busy the machine.
const SLOW: SlackLimits = {
  'chat.postMessage': { perMinute: 1, burst: 3, scope: 'channel' },
  'chat.update': { perMinute: 1, burst: 2, scope: 'workspace' },
};

describe('the Slack double enforcing rate limits', () => {
  let slack: SlackDouble | undefined;
  afterEach(async () => slack?.stop());

  const client = (token: string, rejectRateLimitedCalls: boolean) =>
    new webApi.WebClient(token, { slackApiUrl: slack!.apiUrl, rejectRateLimitedCalls, logLevel: webApi.LogLevel.ERROR, retryConfig: { retries: 5, minTimeout: 10, maxTimeout: 50 } });

  it('answers 429 with Retry-After past the per-channel burst, and 200 within it', async () => {
    slack = await new SlackDouble({ limits: SLOW }).start();
    const web = client('xoxb-one', true);
    for (let i = 0; i < 3; i++) expect((await web.chat.postMessage({ channel: 'C1', text: `m${i}` })).ok).toBe(true);
    // A thread reply counts toward its channel.
    const refused = await web.chat.postMessage({ channel: 'C1', thread_ts: '1.1', text: 'one too many' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 60 });
    expect(slack.calls.at(-1)).toMatchObject({ method: 'chat.postMessage', status: 429 });
    // Another channel, and another workspace, have buckets of their own.
    expect((await web.chat.postMessage({ channel: 'C2', text: 'elsewhere' })).ok).toBe(true);
    expect((await client('xoxb-two', true).chat.postMessage({ channel: 'C1', text: 'other team' })).ok).toBe(true);
  });

  it('limits chat.update per workspace, whatever the channel', async () => {
    slack = await new SlackDouble({ limits: SLOW }).start();
    const web = client('xoxb-one', true);
    await web.chat.update({ channel: 'C1', ts: '1.1', text: 'a' });
    await web.chat.update({ channel: 'C2', ts: '1.2', text: 'b' });
    await expect(web.chat.update({ channel: 'C3', ts: '1.3', text: 'c' })).rejects.toMatchObject({ retryAfter: 60 });
    expect(slack.calls.map((c) => c.status)).toEqual([200, 200, 429]);
  });

  it('lets a retrying WebClient through after its 429s, honouring Retry-After', async () => {
    slack = await new SlackDouble({ limits: { 'chat.postMessage': { perMinute: 120, burst: 1, scope: 'channel' } } }).start();
    const web = client('xoxb-one', false);
    const sent = await Promise.all([0, 1, 2].map((i) => web.chat.postMessage({ channel: 'C1', text: `m${i}` })));
    expect(sent.every((r) => r.ok)).toBe(true);
    const limited = slack.calls.filter((c) => c.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(slack.callsOf('chat.postMessage').map((c) => c.body.text).sort()).toEqual(['m0', 'm1', 'm2']);
  });

  it('keeps the manual rateLimit() mode beside the enforced limits', async () => {
    slack = await new SlackDouble({ limits: SLOW }).start();
    slack.rateLimit('auth.test', 1, 3);
    await expect(client('xoxb-one', true).auth.test()).rejects.toMatchObject({ retryAfter: 3 });
    expect((await client('xoxb-one', true).auth.test()).ok).toBe(true);
  });
});

describe('SlackLimiter (the published limits, on a given clock)', () => {
  it('allows chat.update 5 at once, then one every 1.2 s (50 a minute)', () => {
    const l = new SlackLimiter(SLACK_PUBLISHED);
    const at = (t: number) => l.check('chat.update', 'x', { channel: 'C1' }, t);
    expect([0, 0, 0, 0, 0].map(at)).toEqual([0, 0, 0, 0, 0]);
    expect(at(0)).toBe(2); // 1 200 ms to the next token, in whole seconds
    expect(at(1_100)).toBe(1);
    expect(at(1_200)).toBe(0);
    expect(at(1_300)).toBe(2);
  });

  it('allows chat.postMessage 3 at once per channel, then one a second', () => {
    const l = new SlackLimiter(SLACK_PUBLISHED);
    const at = (channel: string, t: number) => l.check('chat.postMessage', 'x', { channel }, t);
    expect([at('C1', 0), at('C1', 0), at('C1', 0), at('C1', 0)]).toEqual([0, 0, 0, 1]);
    expect(at('C2', 0)).toBe(0);
    expect(at('C1', 999)).toBe(1);
    expect(at('C1', 1_000)).toBe(0);
    expect(l.check('users.info', 'x', {}, 0)).toBe(0);
  });
});
