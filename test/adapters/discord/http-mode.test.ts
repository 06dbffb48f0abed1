import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordBot, USERS, type DiscordBot } from '../../helpers/discord-bot.js';
import { IDS } from '../../helpers/discord-payloads.js';
import { postInteraction, signHeaders, signingKeys } from '../../helpers/discord-request.js';

const EPHEMERAL = 64;

describe('discord HTTP interactions', () => {
  let bot: DiscordBot;
  beforeAll(async () => {
    bot = await startDiscordBot({ mode: 'http' });
  });
  afterAll(async () => {
    await bot?.stop();
  });

  it('answers a signed PING with PONG', async () => {
    const r = await bot.post({ id: '1', type: 1, application_id: IDS.application });
    expect(r).toMatchObject({ status: 200, json: { type: 1 } });
  });

  it('rejects a bad signature with 401 before anything runs', async () => {
    const payload = bot.double.interaction({ command: 'note', options: [{ name: 'add', type: 1, options: [{ name: 'text', type: 3, value: 'forged' }] }], userId: USERS.admin });
    const body = JSON.stringify(payload);
    const before = { calls: bot.double.calls.length, audit: bot.audit.records.length };
    const wrongKey = await postInteraction(bot.url, body, signHeaders(signingKeys(), body));
    const tampered = await postInteraction(bot.url, body.replace('forged', 'forgeD'), signHeaders(bot.keys, body));
    const unsigned = await postInteraction(bot.url, body, {});
    for (const r of [wrongKey, tampered, unsigned]) expect(r.status).toBe(401);
    expect(bot.double.calls.length).toBe(before.calls);
    expect(bot.audit.records.length).toBe(before.audit);
    expect(await bot.app.services.notes.search(['forged'], 5)).toEqual([]);
  });

  it('answers /status and /note add in the HTTP response', async () => {
    const status = await bot.post(bot.double.interaction({ command: 'status', options: [{ name: 'window', type: 3, value: '7d' }], userId: USERS.viewer }));
    expect(status.json).toMatchObject({ type: 4, data: { content: expect.stringMatching(/^Tasks, last 7 days: \d+ total/) } });
    const add = bot.double.interaction({ command: 'note', options: [{ name: 'add', type: 1, options: [{ name: 'text', type: 3, value: 'over http' }] }], userId: USERS.admin });
    const r = await bot.post(add);
    expect(r.json).toMatchObject({ type: 4, data: { content: expect.stringMatching(/^note #\d+ saved/) } });
    expect(bot.audit.records.find((a) => a.invocationId === add.id)).toMatchObject({ command: 'note add', decision: 'allow', outcome: 'ok' });
  });

  it('runs a replayed signed interaction only once', async () => {
    const add = bot.double.interaction({ command: 'note', options: [{ name: 'add', type: 1, options: [{ name: 'text', type: 3, value: 'replayed once' }] }], userId: USERS.admin });
    expect((await bot.post(add)).status).toBe(200);
    const replay = await bot.post(add);
    expect(replay.status).toBe(409);
    expect((await bot.app.services.notes.search(['replayed'], 5)).map((n) => n.body)).toEqual(['replayed once']);
    expect(bot.audit.records.filter((a) => a.invocationId === add.id)).toHaveLength(1);
  });

  it('refuses a stranger ephemerally', async () => {
    const r = await bot.post(bot.double.interaction({ command: 'status', userId: USERS.stranger }));
    expect(r.json).toMatchObject({ type: 4, data: { flags: EPHEMERAL, content: expect.stringContaining(`discord:${USERS.stranger}`) } });
  });

  it('starts a job thread from the deferred HTTP reply and reports after the token expired', async () => {
    const started = bot.job.nextThread();
    const p = bot.double.interaction({ command: 'testjob', userId: USERS.admin, userName: 'alice' });
    const r = await bot.post(p);
    expect(r.json).toEqual({ type: 5 });
    const thread = await started;
    await bot.double.waitFor(() => bot.double.callsTo('POST', new RegExp(`^/webhooks/\\d+/${p.token}$`))[0]);
    expect(bot.double.original(p.token)).toMatchObject({ id: thread.ref.rootId, content: 'Test job job-1 for alice' });
    expect(bot.double.threads.at(-1)).toMatchObject({ id: thread.ref.threadId, messageId: thread.ref.rootId });
    bot.double.expireToken(p.token);
    thread.status('half');
    await thread.finish('all done', 'finished');
    const msgs = bot.double.messagesIn(thread.ref.threadId ?? '');
    expect(msgs.map((m) => m.content)).toEqual(['all done', `<@${USERS.admin}> finished`]);
  });

  it('answers autocomplete in the HTTP response', async () => {
    const options = [{ name: 'run', type: 1, options: [{ name: 'target', type: 3, value: 'sta', focused: true }] }];
    const r = await bot.post(bot.double.interaction({ type: 4, command: 'deploy', options, userId: USERS.admin }));
    expect(r.json).toEqual({ type: 8, data: { choices: [{ name: 'staging', value: 'staging' }] } });
  });
});
