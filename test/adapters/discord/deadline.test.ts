import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordBot, USERS, type DiscordBot } from '../../helpers/discord-bot.js';
import { FaultProxy } from '../../helpers/fault-proxy.js';
import { gatedKeys } from '../../helpers/gated-keys.js';
import { redisPrefix } from '../../helpers/redis.js';
import { IDS } from '../../helpers/discord-payloads.js';

const EPHEMERAL = 64;

/** `/slow` answers after 300 ms; the adapter defers at 50 ms, standing in for Discord's 3 s deadline. */
describe('discord deadlines and allowlists', () => {
  let bot: DiscordBot;
  beforeAll(async () => {
    bot = await startDiscordBot({ mode: 'gateway', deferAfterMs: 50, slowMs: 300, channels: [IDS.channel] });
  });
  afterAll(async () => {
    await bot?.stop();
  });

  function routes(token: string): string[] {
    return bot.double.calls.filter((c) => c.route.includes(token)).map((c) => `${c.method} ${c.route.replace(token, 'TOKEN')}`);
  }

  it('defers a slow command in time, then edits the deferred reply in the channel', async () => {
    const p = bot.double.sendInteraction({ command: 'slow', userId: USERS.viewer });
    await bot.double.waitFor(() => bot.double.original(p.token)?.content === 'finally done');
    const [callback] = bot.double.callsTo('POST', /\/callback$/).filter((c) => c.route.includes(p.token));
    expect(callback?.body).toEqual({ type: 5 });
    expect(routes(p.token)).toEqual([`POST /interactions/${p.id}/TOKEN/callback`, `PATCH /webhooks/${IDS.application}/TOKEN/messages/@original`]);
  });

  it('keeps a slow ephemeral answer private after a public deferral', async () => {
    const p = bot.double.sendInteraction({ command: 'slow', options: [{ name: 'private', type: 5, value: true }], userId: USERS.viewer });
    await bot.double.waitFor(() => routes(p.token).some((r) => r.startsWith('DELETE')));
    expect(routes(p.token)).toEqual([
      `POST /interactions/${p.id}/TOKEN/callback`,
      `PATCH /webhooks/${IDS.application}/TOKEN/messages/@original`,
      `POST /webhooks/${IDS.application}/TOKEN`,
      `DELETE /webhooks/${IDS.application}/TOKEN/messages/@original`,
    ]);
    const followUp = bot.double.callsTo('POST', new RegExp(`^/webhooks/\\d+/${p.token}$`))[0];
    expect(followUp?.body).toMatchObject({ content: 'finally done', flags: EPHEMERAL });
  });

  it('suggests nothing outside discord.channels', async () => {
    const options = [{ name: 'run', type: 1, options: [{ name: 'target', type: 3, value: 's', focused: true }] }];
    const answer = async (channelId?: string) => {
      const p = bot.double.sendInteraction({ type: 4, command: 'deploy', options, userId: USERS.admin, ...(channelId ? { channelId } : {}) });
      const call = await bot.double.waitFor(() => bot.double.callsTo('POST', /\/callback$/).find((c) => c.route.includes(p.token)));
      return call.body as { data: { choices: unknown[] } };
    };
    expect((await answer()).data.choices.length).toBeGreaterThan(0);
    expect((await answer('1100000000000000077')).data.choices).toEqual([]);
  });

  it('refuses a channel outside discord.channels before dispatching, and audits it', async () => {
    const p = bot.double.sendInteraction({ command: 'status', userId: USERS.admin, channelId: '1100000000000000077' });
    const call = await bot.double.waitFor(() => bot.double.callsTo('POST', /\/callback$/).find((c) => c.route.includes(p.token)));
    expect(call.body).toEqual({ type: 4, data: { content: 'opsline is not enabled in this channel', flags: EPHEMERAL, allowed_mentions: { parse: [] } } });
    expect(bot.audit.records.find((r) => r.invocationId === p.id)).toMatchObject({ decision: 'deny', outcome: 'refused', room: '1100000000000000077' });
  });
});

describe('discord HTTP interactions: the deferral counts from arrival', () => {
  let bot: DiscordBot | undefined;
  afterEach(async () => bot?.stop());

  it('defers while the replay check waits for Redis, then edits the answer in', async () => {
    const seen = gatedKeys();
    bot = await startDiscordBot({ mode: 'http', deferAfterMs: 50, seen });
    const add = bot.double.interaction({ command: 'note', options: [{ name: 'add', type: 1, options: [{ name: 'text', type: 3, value: 'kept while redis was slow' }] }], userId: USERS.admin });
    // Before, the check ran ahead of the deferral timer: a 503 at 3 s, and the note stored unannounced.
    const r = await bot.post(add);
    expect(r).toMatchObject({ status: 200, json: { type: 5 } });
    expect(seen.asked).toBe(1);
    seen.open();
    await bot.double.waitFor(() => /^note #\d+ saved/.test(bot!.double.original(add.token)?.content ?? ''));
    expect(bot.audit.records.find((a) => a.invocationId === add.id)).toMatchObject({ command: 'note add', outcome: 'ok' });
  });

  it('still refuses a replay once the check answers', async () => {
    const seen = gatedKeys();
    seen.open();
    bot = await startDiscordBot({ mode: 'http', seen });
    const add = bot.double.interaction({ command: 'note', options: [{ name: 'add', type: 1, options: [{ name: 'text', type: 3, value: 'once only' }] }], userId: USERS.admin });
    expect((await bot.post(add)).status).toBe(200);
    expect((await bot.post(add)).status).toBe(409);
  });

  it('answers autocomplete within the budget from arrival, the access check waiting for a hung Redis included', async () => {
    const proxy = await FaultProxy.start('127.0.0.1', 6379);
    const p = redisPrefix();
    // A source that never answers (an agent gone silent) on top of the grant check's 1 s on a hung Redis.
    const never = () => new Promise<readonly string[]>(() => undefined);
    bot = await startDiscordBot({ mode: 'http', redis: { url: `redis://127.0.0.1:${proxy.port}`, prefix: p.prefix }, completers: { targets: never } });
    const held = proxy.hold(5_000);
    try {
      const options = [{ name: 'run', type: 1, options: [{ name: 'target', type: 3, value: 's', focused: true }] }];
      // Before, the 2 s for the source started after the access check: past 3 s, the server's 503.
      const r = await bot.post(bot.double.interaction({ type: 4, command: 'deploy', options, userId: USERS.admin }));
      expect(r).toMatchObject({ status: 200, json: { type: 8, data: { choices: [] } } });
    } finally {
      await held;
      await proxy.close();
      await p.cleanup();
    }
  }, 20_000);
});
