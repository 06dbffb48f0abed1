import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordBot, USERS, type DiscordBot } from '../../helpers/discord-bot.js';
import { postInteraction, signHeaders } from '../../helpers/discord-request.js';

const EPHEMERAL = 64;
let http: DiscordBot;
let gateway: DiscordBot;

beforeAll(async () => {
  [http, gateway] = await Promise.all([startDiscordBot({ mode: 'http' }), startDiscordBot({ mode: 'gateway' })]);
});
afterAll(async () => {
  await http?.stop();
  await gateway?.stop();
});

/** Options nested `depth` deep, each level a subcommand around the next. */
function nested(depth: number): unknown[] {
  let inner: unknown[] = [{ name: 'text', type: 3, value: 'deep' }];
  for (let i = 0; i < depth; i++) inner = [{ name: 'add', type: 1, options: inner }];
  return inner;
}
const noteAdd = (text: string) => [{ name: 'add', type: 1, options: [{ name: 'text', type: 3, value: text }] }];

type Spec = Parameters<DiscordBot['double']['interaction']>[0];
const hostile: [string, Spec, RegExp][] = [
  ['options nested 1,000 deep', { command: 'note', options: nested(1000), userId: USERS.admin }, /options/],
  ['a 300-character channel id', { command: 'note', options: noteAdd('long channel'), userId: USERS.admin, channelId: '1'.repeat(300) }, /channel/],
  ['a 300-character user name', { command: 'note', options: noteAdd('long name'), userId: USERS.admin, userName: 'n'.repeat(300) }, /username|userName/],
  ['a 300-character command name', { command: 'n'.repeat(300), userId: USERS.admin }, /name|command/],
  ['an option value of the wrong type', { command: 'note', options: [{ name: 'add', type: 1, options: [{ name: 'text', type: 3, value: { a: 1 } }] }], userId: USERS.admin }, /value/],
  ['an option without a name', { command: 'note', options: [{ type: 1 }], userId: USERS.admin }, /name/],
];

async function nothingStored(bot: DiscordBot, before: { notes: number; audit: number }, id: string) {
  expect((await bot.app.services.notes.list(50)).length).toBe(before.notes);
  expect(bot.audit.records.length).toBe(before.audit);
  expect(bot.audit.records.some((r) => r.invocationId === id)).toBe(false);
}

describe('signed but malformed Discord HTTP interactions', () => {
  it.each(hostile)('refuses %s with a 400 and stores nothing', async (_what, spec, field) => {
    const before = { notes: (await http.app.services.notes.list(50)).length, audit: http.audit.records.length };
    const p = http.double.interaction(spec);
    const r = await http.post(p);
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/^bad interaction payload \(/);
    expect(r.body).toMatch(field);
    await nothingStored(http, before, p.id);
  });

  it('refuses bodies that are not interactions: wrong types, missing ids, overlong ids and tokens', async () => {
    const before = { notes: (await http.app.services.notes.list(50)).length, audit: http.audit.records.length };
    const p = () => http.double.interaction({ command: 'note', options: noteAdd('hostile'), userId: USERS.admin });
    for (const body of [{ ...p(), id: 5 }, { ...p(), id: undefined }, { ...p(), id: '1'.repeat(300) }, { ...p(), token: 'a/../b' }, { ...p(), type: '2' }, [1, 2]]) {
      const text = JSON.stringify(body);
      const r = await postInteraction(http.url, text, signHeaders(http.keys, text));
      expect(r.status, text.slice(0, 80)).toBe(400);
    }
    expect((await http.app.services.notes.list(50)).length).toBe(before.notes);
    expect(http.audit.records.length).toBe(before.audit);
  });
});

describe('malformed Discord gateway interactions', () => {
  it.each(hostile.filter(([what]) => !what.includes('wrong type') && !what.includes('without a name')))(
    'answers %s with one short private reply and stores nothing',
    async (_what, spec, field) => {
      const before = { notes: (await gateway.app.services.notes.list(50)).length, audit: gateway.audit.records.length };
      const p = gateway.double.sendInteraction(spec);
      const call = await gateway.double.waitFor(() => gateway.double.callsTo('POST', new RegExp(`/interactions/\\d+/${p.token}/callback$`))[0]);
      const cb = call.body as { type: number; data: { content: string; flags: number } };
      expect(cb.type).toBe(4);
      expect(cb.data.flags).toBe(EPHEMERAL);
      expect(cb.data.content).toMatch(/^opsline cannot read this interaction \(/);
      expect(cb.data.content).toMatch(field);
      await nothingStored(gateway, before, p.id);
    },
  );
});
