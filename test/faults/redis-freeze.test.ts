import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullBurnQueue } from '../../src/services/queue/bullmq.js';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { startDiscordBot, USERS, type DiscordBot } from '../helpers/discord-bot.js';
import { IDS } from '../helpers/discord-payloads.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { makeIso } from '../helpers/iso.js';
import { redisPrefix } from '../helpers/redis.js';
import { startSlackBot, type SlackBot } from '../helpers/slack-bot.js';
import type { PostResult } from '../helpers/slack-request.js';

/**
 * Issue 27: Redis freezes (it takes the connection and the requests, and answers nothing) while
 * people run commands in Slack and Discord. Every command is acknowledged in time (a 200, never the
 * 503 the server answers at 3 s) and answered, and what the answer says is what happened: a note
 * said to be stored is stored, once; a burn said not to be queued never runs, even after Redis
 * answers again; a grant said to be given is in force.
 */
const FREEZE_MS = 15_000;
const log = pino({ level: 'silent' });
const cleanups: (() => Promise<unknown>)[] = [];
let f: AgentFixture;
let proxy: FaultProxy;

beforeAll(async () => {
  f = await agentFixture(['d1']);
  cleanups.push(() => f.cleanup());
  await makeIso(f.imagesDir, 'release.iso', { bytes: 64 * 1024 });
  await f.start();
  proxy = await FaultProxy.start('127.0.0.1', 6379);
  cleanups.push(() => proxy.close());
});
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** Everything Redis-backed goes through the proxy: queue and workers, duplicate checks, grants, codes, relay, budget. */
function throughProxy(): { redis: { url: string; prefix: string }; queue: BullBurnQueue } {
  const p = redisPrefix();
  const redis = { url: `redis://127.0.0.1:${proxy.port}`, prefix: p.prefix };
  const queue = new BullBurnQueue({ ...redis, lockDurationMs: 4000, stalledIntervalMs: 1000, log });
  cleanups.push(() => p.cleanup());
  return { redis, queue };
}

describe('fault: Redis freezes during Slack commands', () => {
  let bot: SlackBot;
  let queue: BullBurnQueue;
  beforeAll(async () => {
    const w = throughProxy();
    queue = w.queue;
    bot = await startSlackBot({ redis: w.redis, burns: { devices: f.client(), queue } });
    cleanups.push(() => bot.stop());
  });

  /** Every answer Slack got for these requests: in the ack, or posted later to a response_url. */
  function answers(acks: readonly PostResult[]): string[] {
    const inAcks = acks.flatMap((r) => (r.json?.text ? [String(r.json.text)] : []));
    return [...inAcks, ...bot.slack.calls.filter((c) => c.method === 'response_url').map((c) => String(c.body.text))];
  }

  it('acks every command in time, answers each, and every answer is true', async () => {
    const frozen = proxy.hold(FREEZE_MS);
    const acks = await Promise.all([
      bot.command('/note add written while redis was frozen', {}, { trigger: 'freeze-slack-note' }),
      bot.command('/burn release.iso d1', {}, { trigger: 'freeze-slack-burn' }),
      bot.command('/access grant <@UVIEW> operator 1h freeze drill', {}, { trigger: 'freeze-slack-grant' }),
    ]);
    expect(acks.map((r) => r.status)).toEqual([200, 200, 200]);
    const said = await bot.slack.waitFor(() => answers(acks).length >= 3 && answers(acks), FREEZE_MS);
    expect(said).toHaveLength(3);
    const note = said.find((t) => t.startsWith('note '));
    const burn = said.find((t) => /burn|queue/.test(t));
    const grant = said.find((t) => t.startsWith('grant '));
    expect(note).toMatch(/^note #\d+ saved/);
    expect(burn).toBe('the queue is unavailable; nothing was queued (Redis did not answer within 1 s)');
    expect(grant).toMatch(/^grant #\d+: slack:T1:UVIEW has the operator role until /);

    // Redis answers again: what the answers said holds.
    await frozen;
    expect((await bot.app.services.notes.list(50)).filter((n) => n.body === 'written while redis was frozen')).toHaveLength(1);
    expect(await queue.list()).toEqual([]);
    expect(bot.app.services.grants?.store).toBeDefined();
    const active = await bot.app.services.grants!.store.active(new Date());
    expect(active.filter((g) => g.principalKey === 'slack:T1:UVIEW' && g.role === 'operator')).toHaveLength(1);
    // And the queue takes burns again.
    const after = await bot.command('/burn release.iso d1', {}, { trigger: 'freeze-slack-burn-after' });
    expect(after.status).toBe(200);
    const queued = await bot.slack.waitFor(() => answers([after]).find((t) => /^burn job b[a-z0-9]{6} queued/.test(t)), 10_000);
    expect(queued).toMatch(/^burn job b[a-z0-9]{6} queued on a1\/d1/);
  }, 90_000);
});

describe('fault: Redis freezes during Discord commands (HTTP interactions)', () => {
  let bot: DiscordBot;
  let queue: BullBurnQueue;
  beforeAll(async () => {
    const w = throughProxy();
    queue = w.queue;
    bot = await startDiscordBot({ mode: 'http', redis: w.redis, burns: { devices: f.client(), queue } });
    cleanups.push(() => bot.stop());
  });

  /** The interaction's answer: in the HTTP response, the deferred reply edited, or a follow-up. */
  function answer(r: { json?: Record<string, unknown> }, token: string): string | undefined {
    const data = r.json?.data as { content?: string } | undefined;
    if (r.json?.type === 4 && data?.content) return data.content;
    const followUp = bot.double.callsTo('POST', new RegExp(`^/webhooks/${IDS.application}/${token}$`)).at(-1)?.body as { content?: string } | undefined;
    return followUp?.content ?? (bot.double.original(token)?.content || undefined);
  }

  it('acks every interaction in time, answers each, and every answer is true', async () => {
    const note = bot.double.interaction({ command: 'note', options: [{ name: 'add', type: 1, options: [{ name: 'text', type: 3, value: 'discord note while frozen' }] }], userId: USERS.admin });
    const burnOptions = [{ name: 'start', type: 1, options: [{ name: 'image', type: 3, value: 'release.iso' }, { name: 'drive', type: 3, value: 'd1' }] }];
    const burn = bot.double.interaction({ command: 'burn', options: burnOptions, userId: USERS.admin });
    const frozen = proxy.hold(FREEZE_MS);
    const [n, b] = await Promise.all([bot.post(note), bot.post(burn)]);
    expect([n.status, b.status]).toEqual([200, 200]);
    // The burn's answer comes after its thread's root: the follow-up is the last word.
    const noteSaid = await bot.double.waitFor(() => /^note #\d+ saved/.test(answer(n, note.token) ?? '') && answer(n, note.token), FREEZE_MS);
    const burnSaid = await bot.double.waitFor(() => /queue/.test(answer(b, burn.token) ?? '') && answer(b, burn.token), FREEZE_MS);
    expect(noteSaid).toMatch(/^note #\d+ saved/);
    expect(burnSaid).toBe('the queue is unavailable; nothing was queued (Redis did not answer within 1 s)');
    expect(bot.audit.records.find((r) => r.invocationId === burn.id)).toMatchObject({ outcome: 'error', errorCode: 'unavailable' });

    await frozen;
    expect(await bot.app.services.notes.search(['discord', 'frozen'], 5)).toHaveLength(1);
    expect(await queue.list()).toEqual([]);
  }, 90_000);
});
