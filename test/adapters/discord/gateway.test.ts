import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordBot, USERS, type DiscordBot } from '../../helpers/discord-bot.js';
import { IDS } from '../../helpers/discord-payloads.js';

const EPHEMERAL = 64;

describe('discord adapter over the gateway', () => {
  let bot: DiscordBot;
  beforeAll(async () => {
    bot = await startDiscordBot({ mode: 'gateway' });
  });
  afterAll(async () => {
    await bot?.stop();
  });

  /** The one interaction callback the bot sent for `token`. */
  async function callback(token: string): Promise<{ type: number; data?: Record<string, unknown> }> {
    const call = await bot.double.waitFor(() => bot.double.callsTo('POST', new RegExp(`/interactions/\\d+/${token}/callback$`))[0]);
    return call.body as { type: number; data?: Record<string, unknown> };
  }

  it('identifies with the Guilds intent only and heartbeats', async () => {
    expect(bot.double.gateway.identifies).toHaveLength(1);
    expect(bot.double.gateway.identifies[0]?.intents).toBe(1);
    expect(bot.double.gateway.identifies[0]?.token).toBe(bot.double.botToken);
    // The double asks for a heartbeat every 500 ms and ACKs it; a client that stopped would be dropped.
    await bot.double.waitFor(() => bot.double.gateway.heartbeats > 0, 3000);
    const ready = await fetch(bot.url.replace('/discord/interactions', '/readyz'));
    expect(ready.status).toBe(200);
  });

  it('answers /status in the channel, directly in the callback', async () => {
    const p = bot.double.sendInteraction({ command: 'status', options: [{ name: 'window', type: 3, value: 'all' }], userId: USERS.viewer });
    const cb = await callback(p.token);
    expect(cb.type).toBe(4);
    expect(cb.data?.content).toMatch(/^Tasks, all time: \d+ total/);
    expect(cb.data?.flags).toBeUndefined();
    expect(cb.data?.allowed_mentions).toEqual({ parse: [] });
    const row = bot.audit.records.find((r) => r.invocationId === p.id);
    expect(row).toMatchObject({ principalKey: `discord:${USERS.viewer}`, platform: 'discord', command: 'status', decision: 'allow', outcome: 'ok' });
  });

  it('runs /note add as a subcommand with a typed option', async () => {
    const p = bot.double.sendInteraction({
      command: 'note',
      options: [{ name: 'add', type: 1, options: [{ name: 'text', type: 3, value: 'rotated the @everyone backup key' }] }],
      userId: USERS.admin,
    });
    const cb = await callback(p.token);
    expect(cb.type).toBe(4);
    expect(cb.data?.content).toMatch(/^note #\d+ saved/);
    const notes = await bot.app.services.notes.search(['rotated'], 5);
    expect(notes[0]).toMatchObject({ authorKey: `discord:${USERS.admin}`, body: 'rotated the @everyone backup key', platform: 'discord' });
  });

  it('refuses a viewer /note add ephemerally, naming the role and the key', async () => {
    const p = bot.double.sendInteraction({
      command: 'note',
      options: [{ name: 'add', type: 1, options: [{ name: 'text', type: 3, value: 'nope' }] }],
      userId: USERS.viewer,
    });
    const cb = await callback(p.token);
    expect(cb.type).toBe(4);
    expect(cb.data?.flags).toBe(EPHEMERAL);
    expect(cb.data?.content).toBe(`/note add needs the writer role; your key is discord:${USERS.viewer} (an admin can grant it)`);
    expect(bot.audit.records.find((r) => r.invocationId === p.id)).toMatchObject({ decision: 'deny', outcome: 'refused' });
  });

  it('refuses a stranger and validates options with the same specs as text', async () => {
    const s = bot.double.sendInteraction({ command: 'status', userId: USERS.stranger });
    expect((await callback(s.token)).data?.content).toMatch(/not on the allowlist.*discord:80351110224678914/);
    const bad = bot.double.sendInteraction({
      command: 'note',
      options: [{ name: 'list', type: 1, options: [{ name: 'n', type: 4, value: 500 }] }],
      userId: USERS.admin,
    });
    const cb = await callback(bad.token);
    expect(cb.data?.flags).toBe(EPHEMERAL);
    expect(cb.data?.content).toMatch(/n must be a whole number from 1 to 50/);
  });

  it('reports a job in a thread from the interaction reply, with the bot token, after the interaction token expired', async () => {
    const { double } = bot;
    const started = bot.job.nextThread();
    const p = double.sendInteraction({ command: 'testjob', userId: USERS.admin, userName: 'alice' });
    const thread = await started;
    const ref = thread.ref;
    // The interaction reply is the root: deferred, then edited to the root text; the thread starts from it.
    expect((await callback(p.token)).type).toBe(5);
    expect(double.original(p.token)).toMatchObject({ id: ref.rootId, content: 'Test job job-1 for alice' });
    expect(double.threads).toEqual([{ id: ref.threadId, parentId: IDS.channel, messageId: ref.rootId, name: 'Test job job-1 for alice' }]);
    // The command's own reply follows the root instead of replacing it.
    const ack = await double.waitFor(() => double.callsTo('POST', new RegExp(`^/webhooks/${IDS.application}/${p.token}$`))[0]);
    expect(ack.body?.content).toBe('started test job job-1');
    expect(bot.audit.records.find((r) => r.invocationId === p.id)).toMatchObject({ jobId: 'job-1', outcome: 'ok' });

    // Fifteen minutes later: Discord refuses the interaction token; progress must not need it.
    double.expireToken(p.token);
    const expiredAfter = double.calls.length;
    thread.status('step 1/2');
    thread.status('step 2/2');
    await thread.milestone('halfway there');
    double.rateLimit('PATCH', /^\/channels\/\d+\/messages\/\d+$/, 1);
    await thread.finish('done: 2/2', 'test job job-1 finished');

    const [status, ...rest] = double.messagesIn(ref.threadId ?? '');
    expect(status?.id).toBe(ref.statusId);
    expect(status?.history[0]).toBe('queued');
    expect(status?.content).toBe('done: 2/2');
    expect(status?.history).not.toContain('step 1/2');
    expect(rest.map((m) => m.content)).toEqual(['halfway there', `<@${USERS.admin}> test job job-1 finished`]);
    const later = double.calls.slice(expiredAfter);
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((c) => c.route.startsWith(`/channels/${ref.threadId}/`) && c.auth === `Bot ${double.botToken}`)).toBe(true);
    // A 429 on the final edit was waited out by @discordjs/rest, and the final state still landed.
    expect(later.some((c) => c.status === 429)).toBe(true);
    const mention = later.filter((c) => c.method === 'POST').at(-1);
    expect(mention?.body?.allowed_mentions).toEqual({ parse: [], users: [USERS.admin] });
  });

  it('reports in the thread itself when the job was started inside a thread', async () => {
    const inThread = bot.job.threads[0]?.ref.threadId ?? '';
    const started = bot.job.nextThread();
    bot.double.sendInteraction({ command: 'testjob', userId: USERS.admin, userName: 'alice', channelId: inThread });
    const thread = await started;
    expect(thread.ref.threadId).toBeUndefined();
    await thread.finish('done', 'finished');
    const msgs = bot.double.messagesIn(inThread);
    expect(msgs.find((m) => m.id === thread.ref.statusId)?.content).toBe('done');
    expect(msgs.at(-1)?.content).toBe(`<@${USERS.admin}> finished`);
  });

  it('suggests deploy targets to allowlisted callers only', async () => {
    const options = [{ name: 'run', type: 1, options: [{ name: 'target', type: 3, value: 'S', focused: true }] }];
    const p = bot.double.sendInteraction({ type: 4, command: 'deploy', options, userId: USERS.viewer });
    expect(await callback(p.token)).toEqual({ type: 8, data: { choices: [{ name: 'site', value: 'site' }, { name: 'staging', value: 'staging' }] } });
    const s = bot.double.sendInteraction({ type: 4, command: 'deploy', options, userId: USERS.stranger });
    expect(await callback(s.token)).toEqual({ type: 8, data: { choices: [] } });
  });
});
