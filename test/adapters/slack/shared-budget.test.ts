import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, redisPrefix } from '../../helpers/redis.js';
import { runPacedChild } from '../../helpers/paced-child.js';
import { SlackDouble } from '../../helpers/slack-double.js';
import type { SlackLimits } from '../../helpers/slack-limits.js';

// Slack's chat.update limit scaled up (300 a minute rather than 50) so the test takes seconds, not minutes.
const LIMITS: SlackLimits = { 'chat.update': { perMinute: 300, burst: 3, scope: 'workspace' } };
// The bot's budget sits under it, as the defaults do under the published limit (45 vs 50).
const BUDGET = { updatesPerMinute: 270, burst: 2, calls: 20 };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function double(): Promise<SlackDouble> {
  const slack = await new SlackDouble({ limits: LIMITS }).start();
  cleanups.push(() => slack.stop());
  return slack;
}

const answers = (slack: SlackDouble, status: number) => slack.calls.filter((c) => c.method === 'chat.update' && c.status === status).length;

describe('one chat.update budget per workspace, shared by two worker processes through Redis', () => {
  it('two processes editing at once stay under the workspace limit: no 429 at all', async () => {
    const slack = await double();
    const p = redisPrefix();
    cleanups.push(() => p.cleanup());
    const redis = { url: REDIS_URL, prefix: p.prefix };
    await Promise.all([runPacedChild({ apiUrl: slack.apiUrl, redis, ...BUDGET }), runPacedChild({ apiUrl: slack.apiUrl, redis, ...BUDGET })]);
    expect(answers(slack, 200)).toBe(2 * BUDGET.calls);
    expect(answers(slack, 429)).toBe(0);
  }, 60_000);

  it('(the control) each process on its own budget: together they exceed the limit and Slack answers 429', async () => {
    const slack = await double();
    await Promise.all([runPacedChild({ apiUrl: slack.apiUrl, ...BUDGET }), runPacedChild({ apiUrl: slack.apiUrl, ...BUDGET })]);
    expect(answers(slack, 200)).toBe(2 * BUDGET.calls);
    expect(answers(slack, 429)).toBeGreaterThan(0);
  }, 60_000);
});
