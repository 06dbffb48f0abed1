import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordBot, type DiscordBot } from '../../helpers/discord-bot.js';
import { IDS } from '../../helpers/discord-payloads.js';

/** A member on no allowlist: only the guild role mapped in access.discordRoles gives them `writer`. */
const MEMBER = '80351110224678955';
const WRITERS = '1200000000000000009';
const OTHER = '1200000000000000010';
const discordRoles = [{ guild: IDS.guild, role: WRITERS, roles: ['writer' as const] }];
const noteAdd = (text: string) => [{ name: 'add', type: 1, options: [{ name: 'text', type: 3, value: text }] }];

describe.each(['gateway', 'http'] as const)('access.discordRoles over %s', (mode) => {
  let bot: DiscordBot;
  beforeAll(async () => {
    bot = await startDiscordBot({ mode, discordRoles });
  });
  afterAll(async () => {
    await bot?.stop();
  });

  /** Sends the interaction the way this mode receives it and returns the reply's content. */
  async function send(memberRoles: string[], text: string): Promise<{ id: string; content: unknown }> {
    const spec = { command: 'note', options: noteAdd(text), userId: MEMBER, memberRoles };
    if (mode === 'http') {
      const p = bot.double.interaction(spec);
      const r = await bot.post(p);
      return { id: p.id, content: (r.json as { data?: { content?: unknown } }).data?.content };
    }
    const p = bot.double.sendInteraction(spec);
    const call = await bot.double.waitFor(() => bot.double.callsTo('POST', new RegExp(`/interactions/\\d+/${p.token}/callback$`))[0]);
    return { id: p.id, content: (call.body as { data?: { content?: unknown } }).data?.content };
  }

  it('a member holding the mapped guild role runs /note add; the audit row names the role', async () => {
    const r = await send([OTHER, WRITERS], `from a role over ${mode}`);
    expect(r.content).toMatch(/^note #\d+ saved/);
    expect(bot.audit.records.find((a) => a.invocationId === r.id)).toMatchObject({ command: 'note add', outcome: 'ok', roleSource: `discord-role:${WRITERS}` });
    const [note] = await bot.app.services.notes.search(['role', mode], 5);
    expect(note).toMatchObject({ authorKey: `discord:${MEMBER}` });
  });

  it('the same member without the role is refused, and audited', async () => {
    const r = await send([OTHER], `no role over ${mode}`);
    expect(r.content).toBe(`you are not on the allowlist. /note add needs the writer role; your key is discord:${MEMBER} (an admin can add it)`);
    expect(bot.audit.records.filter((a) => a.invocationId === r.id)).toEqual([expect.objectContaining({ decision: 'deny', outcome: 'refused' })]);
    expect(await bot.app.services.notes.search(['no', 'role', mode], 5)).toEqual([]);
  });
});
