import { REST, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { DiscordDouble } from '../../helpers/discord-double.js';
import { DISCORD_PUBLISHED, DiscordLimiter, routeKey, type DiscordLimits } from '../../helpers/discord-limits.js';
import { IDS } from '../../helpers/discord-payloads.js';

const OTHER_CHANNEL = '1100000000000000077';
// A window far longer than any test, so nothing resets while one runs, however busy the machine.
const SLOW: DiscordLimits = { ...DISCORD_PUBLISHED, routes: { 'POST /channels/:id/messages': { limit: 2, windowMs: 60_000 } } };
// A short window, so discord.js's queue can wait it out quickly.
const QUICK: DiscordLimits = { ...DISCORD_PUBLISHED, routes: { 'POST /channels/:id/messages': { limit: 2, windowMs: 300 } } };

describe('the Discord double enforcing per-route limits', () => {
  let double: DiscordDouble | undefined;
  afterEach(async () => double?.stop());

  const post = (channel: string, content: string) =>
    fetch(`${double!.apiUrl}/v10/channels/${channel}/messages`, { method: 'POST', headers: { authorization: `Bot ${double!.botToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ content }) });
  const rest = () => new REST({ api: double!.apiUrl, version: '10', offset: 0 }).setToken(double!.botToken);

  it('answers every call with the bucket headers, and 429 with Retry-After and Discord\'s body past the limit', async () => {
    double = await new DiscordDouble().start();
    double.enforceLimits(SLOW);
    const first = await post(IDS.channel, 'one');
    expect(first.status).toBe(200);
    expect(Object.fromEntries([...first.headers].filter(([k]) => k.startsWith('x-ratelimit')))).toMatchObject({ 'x-ratelimit-limit': '2', 'x-ratelimit-remaining': '1' });
    expect(Number(first.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);
    expect(Number(first.headers.get('x-ratelimit-reset')) * 1000).toBeGreaterThan(Date.now());
    expect((await post(IDS.channel, 'two')).headers.get('x-ratelimit-remaining')).toBe('0');
    const refused = await post(IDS.channel, 'three');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('x-ratelimit-scope')).toBe('user');
    expect(refused.headers.get('x-ratelimit-bucket')).toBe(first.headers.get('x-ratelimit-bucket'));
    expect(await refused.json()).toMatchObject({ message: 'You are being rate limited.', global: false, retry_after: expect.any(Number) });
    // The channel is the major parameter: another channel has a bucket of its own.
    expect((await post(OTHER_CHANNEL, 'elsewhere')).status).toBe(200);
    expect(double.messagesIn(IDS.channel).map((m) => m.content)).toEqual(['one', 'two']);
    expect(double.calls.map((c) => c.status)).toEqual([200, 200, 429, 200]);
  });

  it('lets discord.js queue by the headers alone: one client never hits a 429', async () => {
    double = await new DiscordDouble().start();
    double.enforceLimits(QUICK);
    const client = rest();
    await Promise.all([1, 2, 3, 4, 5].map((i) => client.post(Routes.channelMessages(IDS.channel), { body: { content: `m${i}` } })));
    expect(double.messagesIn(IDS.channel)).toHaveLength(5);
    expect(double.calls.filter((c) => c.status === 429)).toEqual([]);
  });

  it('answers 429 to two clients that share a bucket without knowing it, and both get through after Retry-After', async () => {
    double = await new DiscordDouble().start();
    double.enforceLimits(QUICK);
    const [a, b] = [rest(), rest()];
    await Promise.all([a, b].flatMap((c, n) => [1, 2, 3].map((i) => c.post(Routes.channelMessages(IDS.channel), { body: { content: `${n}-${i}` } }))));
    expect(double.messagesIn(IDS.channel)).toHaveLength(6);
    expect(double.calls.filter((c) => c.status === 429).length).toBeGreaterThan(0);
  });
});

describe('DiscordLimiter (on a given clock)', () => {
  const bot = 'Bot t';

  it('has a global limit per bot token that interaction endpoints do not count toward', () => {
    const l = new DiscordLimiter({ ...DISCORD_PUBLISHED, globalPerSecond: 3 });
    const channels = ['11111', '22222', '33333', '44444'];
    const verdicts = channels.map((c) => l.check('POST', `/channels/${c}/messages`, bot, 0));
    expect(verdicts.map((v) => v.refused?.global)).toEqual([undefined, undefined, undefined, true]);
    expect(verdicts[3]?.headers).toMatchObject({ 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global', 'retry-after': '1' });
    expect(l.check('POST', '/interactions/123456/tok/callback', undefined, 0).refused).toBeUndefined();
    expect(l.check('PATCH', '/webhooks/123456/tok/messages/@original', undefined, 0).refused).toBeUndefined();
    expect(l.check('POST', '/channels/55555/messages', 'Bot other', 0).refused).toBeUndefined();
    expect(l.check('POST', '/channels/55555/messages', bot, 1_000).refused).toBeUndefined();
  });

  it('refuses the sixth message in a channel within 5 s, and resets after the window', () => {
    const l = new DiscordLimiter(DISCORD_PUBLISHED);
    const at = (t: number) => l.check('POST', `/channels/${IDS.channel}/messages`, bot, t);
    expect([0, 100, 200, 300, 400].map((t) => at(t).refused)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(at(4_000)).toMatchObject({ refused: { retry_after: 1, global: false }, headers: { 'retry-after': '1', 'x-ratelimit-remaining': '0' } });
    expect(at(5_000).refused).toBeUndefined();
    // Edits have a bucket of their own.
    expect(l.check('PATCH', `/channels/${IDS.channel}/messages/12345678`, bot, 4_500).refused).toBeUndefined();
  });

  it('buckets by route template and major parameter, as Discord does', () => {
    expect(routeKey(`/channels/${IDS.channel}/messages/1200000000000000001`)).toEqual({ template: '/channels/:id/messages/:id', major: IDS.channel });
    expect(routeKey('/webhooks/1100000000000000001/itoken-9/messages/@original')).toEqual({ template: '/webhooks/:id/:token/messages/:id', major: '1100000000000000001/itoken-9' });
  });
});
