import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordBot, USERS, type DiscordBot } from '../helpers/discord-bot.js';
import { interactionPayload } from '../helpers/discord-payloads.js';
import { signHeaders } from '../helpers/discord-request.js';
import { hostileJson, hostileString, PROTO_NAMES, runs, withField } from '../helpers/fuzz-inputs.js';
import { expectHandled, fuzzConcurrently, post } from '../helpers/http-fuzz.js';

let bot: DiscordBot;
let notesBefore = 0;
let ids = 0;

beforeAll(async () => {
  bot = await startDiscordBot({ mode: 'http' });
  notesBefore = (await bot.app.services.notes.list(50)).length;
});
afterAll(async () => {
  expect((await bot.app.services.notes.list(50)).length).toBe(notesBefore);
  await bot.stop();
});

const PATHS = [
  ['type'], ['id'], ['token'], ['version'], ['guild_id'], ['channel_id'], ['user'], ['member'], ['member', 'user'], ['member', 'user', 'id'], ['member', 'roles'],
  ['data'], ['data', 'name'], ['data', 'type'], ['data', 'options'], ['data', 'id'], ['__proto__'], ['constructor'], ['data', '__proto__'], ['data', 'toString'],
];
const OPTION = fc.record({
  name: fc.oneof(fc.constantFrom('text', 'n', 'window', 'image', 'add', 'list', ...PROTO_NAMES), hostileString),
  type: fc.oneof(fc.integer({ min: 1, max: 11 }), hostileJson),
  value: fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), hostileJson),
});

/** A slash-command interaction from a viewer or a stranger, with one field replaced or hostile options. */
const interaction = fc.oneof(
  fc.tuple(fc.constantFrom('status', 'note', 'burn', 'help', 'deploy', 'access', ...PROTO_NAMES), fc.constantFrom(USERS.viewer, USERS.stranger), fc.array(OPTION, { maxLength: 3 }), fc.constantFrom(...PATHS), fc.oneof(hostileJson, hostileString), fc.boolean()).map(
    ([command, user, options, path, value, mutate]) => {
      const n = ++ids;
      const p = interactionPayload({ id: `13${String(n).padStart(17, '0')}`, token: `fuzz-${n}`, command, userId: user, options: [{ name: 'add', type: 1, options }] }) as unknown as Record<string, unknown>;
      return JSON.stringify(mutate ? withField(p, path, value) : p);
    },
  ),
  // Options nested far deeper than Discord ever sends (sub-command groups are two deep).
  fc.tuple(fc.integer({ min: 50, max: 3000 }), fc.constantFrom('options', '__proto__')).map(([depth, key]) => {
    const p = JSON.stringify(interactionPayload({ id: `14${String(++ids).padStart(17, '0')}`, token: `fuzz-d${ids}`, command: 'note', userId: USERS.viewer }));
    const chain = `${`{"name":"g","type":2,"${key}":[`.repeat(depth)}{"name":"text","type":3,"value":"v"}${']}'.repeat(depth)}`;
    return p.replace('"options":[]', `"options":[${chain}]`);
  }),
  hostileJson.map((v) => JSON.stringify(v) ?? 'null'),
  hostileString,
);

async function signedPost(body: string): Promise<void> {
  expectHandled(await post(bot.url, body, { 'content-type': 'application/json', ...signHeaders(bot.keys, body) }), body);
}

describe('fuzz: signed Discord interactions into the real /discord/interactions endpoint', () => {
  it('answers every interaction with a 4xx or a specific reply, and stores nothing', async () => {
    await fuzzConcurrently(interaction, runs(2_000), signedPost);
  }, 600_000);

  it('refuses every unsigned or wrongly signed body with 401', async () => {
    await fuzzConcurrently(fc.tuple(interaction, fc.constantFrom('none', 'other-body', 'garbage')), runs(300), async ([body, how]) => {
      const headers = how === 'none' ? {} : how === 'other-body' ? signHeaders(bot.keys, `${body} `) : { 'x-signature-ed25519': 'zz', 'x-signature-timestamp': '1' };
      expect((await post(bot.url, body, { 'content-type': 'application/json', ...headers })).status).toBe(401);
    });
  }, 600_000);
});
