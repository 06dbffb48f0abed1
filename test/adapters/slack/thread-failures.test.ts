import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditSink } from '../../../src/core/audit.js';
import { MemoryBurnQueue } from '../../../src/services/queue/memory.js';
import { agentFixture, type AgentFixture } from '../../helpers/agent-fixture.js';
import { makeIso } from '../../helpers/iso.js';
import { startSlackBot, type SlackBot } from '../../helpers/slack-bot.js';

let f: AgentFixture;
let bot: SlackBot;
const queue = new MemoryBurnQueue();
const audit = new MemoryAuditSink();

beforeAll(async () => {
  f = await agentFixture(['d1']);
  await makeIso(f.imagesDir, 'release.iso', { bytes: 64 * 1024 });
  await f.start();
  bot = await startSlackBot({ burns: { devices: f.client(), queue }, audit, ackBudgetMs: 500 });
});
afterAll(async () => {
  await bot?.stop();
  await f?.cleanup();
});
afterEach(() => bot.slack.heal('chat.postMessage'));

/** The command's answer, in the ack or, when it took longer, through response_url. */
async function burn(): Promise<string> {
  const before = bot.slack.calls.length;
  const r = await bot.command('/burn release.iso d1');
  if (r.json?.text) return String(r.json.text);
  const late = await bot.slack.waitFor(() => bot.slack.calls.slice(before).find((c) => c.method === 'response_url'), 15_000);
  return String(late.body.text);
}

// Before, both were "something went wrong on our side (ref …)", audited `internal`: the caller could not tell
// a bug from Slack being down, nor whether the burn had been queued.
describe('Slack refusing or failing the job thread', () => {
  it('invalid_auth: says that Slack refused the token and that nothing was queued', async () => {
    bot.slack.fail('chat.postMessage', 'invalid_auth');
    expect(await burn()).toBe("Slack refused the bot's token (invalid_auth); an admin must check slack.botToken and its scopes; nothing was queued");
    expect(audit.records.at(-1)).toMatchObject({ command: 'burn start', outcome: 'error', errorCode: 'unavailable' });
    expect(await queue.list()).toEqual([]);
  });

  it('HTTP 500: says that Slack is not answering and that nothing was queued', async () => {
    bot.slack.fail('chat.postMessage', 'internal_error', 500);
    expect(await burn()).toBe("Slack's API is not answering (HTTP 500); nothing was queued");
    expect(audit.records.at(-1)).toMatchObject({ command: 'burn start', outcome: 'error', errorCode: 'unavailable' });
    expect(await queue.list()).toEqual([]);
  }, 20_000);
});
