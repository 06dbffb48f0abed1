import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCommand } from '../../../src/core/define-command.js';
import { reply } from '../../../src/core/reply.js';
import { startSlackBot, type SlackBot } from '../../helpers/slack-bot.js';

/** 50 long notes: `/note list 50` is about 16,000 characters, four times what one Slack message shows. */
async function addNotes(bot: SlackBot): Promise<void> {
  for (let i = 1; i <= 50; i++)
    await bot.app.services.notes.add({ authorKey: 'slack:T1:UADMIN', authorName: 'alice', platform: 'slack', room: 'C1', body: `note ${i} ${'rotated the backup key & checked <the> logs '.repeat(8)}end ${i}` });
}

// An ephemeral answer of 9,000 characters: ephemeral messages have no thread on Slack.
const longPrivate = defineCommand({
  name: 'longprivate',
  description: 'a long private answer',
  usage: '/longprivate',
  examples: [],
  roles: ['viewer'],
  sideEffects: false,
  handler: () => reply(Array.from({ length: 90 }, (_, i) => `line ${i + 1} ${'z'.repeat(90)}`).join('\n')),
});

/** The parts' texts without their number lines, as one text again. */
const joined = (texts: string[]) => texts.map((t) => t.replace(/^\d+\/\d+\n/, '')).join('\n');

let bot: SlackBot;
beforeAll(async () => {
  bot = await startSlackBot({ editIntervalMs: 0, extra: [longPrivate] });
  await addNotes(bot);
});
afterAll(async () => bot.stop());

describe('a reply longer than a Slack message', () => {
  it('/note list 50 goes as numbered messages: the first in the channel, the rest in a thread under it, nothing cut', async () => {
    const r = await bot.command('/note list 50');
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    const posts = await bot.slack.waitFor(() => {
      const p = bot.slack.callsOf('chat.postMessage');
      const n = /^1\/(\d+)\n/.exec(String(p[0]?.body.text))?.[1];
      return n !== undefined && p.length >= Number(n) && p;
    }, 15_000);
    const [root, ...rest] = posts;
    expect(root?.body.thread_ts).toBeUndefined();
    expect(rest.every((p) => p.body.thread_ts === root?.response?.ts)).toBe(true);
    const texts = posts.map((p) => String(p.body.text));
    texts.forEach((t, i) => expect(t.startsWith(`${i + 1}/${texts.length}\n`)).toBe(true));
    expect(texts.length).toBeGreaterThanOrEqual(4);
    const all = joined(texts);
    for (let i = 1; i <= 50; i++) expect(all).toMatch(new RegExp(`^#\\d+ alice · .* — note ${i} rotated`, 'm'));
    expect(all).not.toContain('(cut:');
    // Every line is whole: each starts a note and ends it (a listing clips a note at 300 characters, visibly).
    for (const line of all.split('\n')) expect(line).toMatch(/^#\d+ alice · .*…$/);
    expect(bot.slack.violations).toEqual([]);
  });

  it('an ephemeral answer: the first part in the ack, the rest as private follow-ups in order', async () => {
    const r = await bot.command('/longprivate');
    const first = r.json as { text: string; response_type: string };
    expect(first.response_type).toBe('ephemeral');
    const n = Number(/^1\/(\d+)\n/.exec(first.text)?.[1]);
    expect(n).toBeGreaterThanOrEqual(3);
    const follow = await bot.slack.waitFor(() => {
      const f = bot.slack.callsOf('response_url').filter((c) => /^\d+\/\d+\n/.test(String(c.body.text)));
      return f.length === n - 1 && f;
    });
    expect(follow.every((c) => c.body.response_type === 'ephemeral')).toBe(true);
    expect(joined([first.text, ...follow.map((c) => String(c.body.text))])).toBe(Array.from({ length: 90 }, (_, i) => `line ${i + 1} ${'z'.repeat(90)}`).join('\n'));
    expect(bot.slack.violations).toEqual([]);
  });
});
