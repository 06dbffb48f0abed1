import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBurnQueue } from '../../../src/services/queue/memory.js';
import { agentFixture, type AgentFixture } from '../../helpers/agent-fixture.js';
import { startDiscordBot, USERS, type DiscordBot } from '../../helpers/discord-bot.js';
import { IDS } from '../../helpers/discord-payloads.js';
import { makeIso } from '../../helpers/iso.js';

let f: AgentFixture;
let bot: DiscordBot;
const queue = new MemoryBurnQueue();

beforeAll(async () => {
  f = await agentFixture(['d1']);
  await makeIso(f.imagesDir, 'release.iso', { bytes: 64 * 1024 });
  await f.start();
  bot = await startDiscordBot({ mode: 'gateway', burns: { devices: f.client(), queue } });
});
afterAll(async () => {
  await bot?.stop();
  await f?.cleanup();
});

// Before: "internal error"-class handling (audited `internal`), and no word on whether the burn was queued.
describe('Discord failing the job thread', () => {
  it('says that Discord is not answering and that nothing was queued, audited unavailable', async () => {
    bot.double.outage('PATCH', /\/messages\/@original$/);
    const options = [{ name: 'start', type: 1, options: [{ name: 'image', type: 3, value: 'release.iso' }, { name: 'drive', type: 3, value: 'd1' }] }];
    const p = bot.double.sendInteraction({ command: 'burn', options, userId: USERS.admin });
    const followUp = await bot.double.waitFor(() => bot.double.callsTo('POST', new RegExp(`^/webhooks/${IDS.application}/${p.token}$`))[0], 15_000);
    expect(followUp.body).toMatchObject({ content: "Discord's API is not answering (HTTP 503); nothing was queued" });
    expect(bot.audit.records.find((r) => r.invocationId === p.id)).toMatchObject({ command: 'burn start', outcome: 'error', errorCode: 'unavailable' });
    expect(await queue.list()).toEqual([]);
    bot.double.restore();
  }, 20_000);
});
