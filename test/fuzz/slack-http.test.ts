import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandText, hostileJson, hostileString, PROTO_NAMES, runs, withField } from '../helpers/fuzz-inputs.js';
import { expectHandled, fuzzConcurrently, post } from '../helpers/http-fuzz.js';
import { SECRET, startSlackBot, type SlackBot } from '../helpers/slack-bot.js';
import { slackSignature } from '../helpers/slack-double.js';

let bot: SlackBot;
let notesBefore = 0;
let triggers = 0;

beforeAll(async () => {
  bot = await startSlackBot();
  notesBefore = (await bot.app.services.notes.list(50)).length;
});
afterAll(async () => {
  // Nothing a fuzzed request did was stored: the demo's seeded notes are all there is.
  expect((await bot.app.services.notes.list(50)).length).toBe(notesBefore);
  await bot.stop();
});

const COMMANDS = ['/help', '/status', '/note', '/burn', '/deploy', '/access', '/approve', '/audit', '/jobs', '/whoami', '/opsline'];
const FIELDS = ['token', 'team_id', 'channel_id', 'user_id', 'user_name', 'command', 'text', 'response_url', 'trigger_id', 'api_app_id', 'enterprise_id', 'is_enterprise_install'];

/** A slash-command form: real fields with hostile values, some missing, some twice, some prototype-named. */
const form = fc
  .record({
    user: fc.oneof(fc.constantFrom('UVIEW', 'UNOBODY'), hostileString),
    command: fc.oneof(fc.constantFrom(...COMMANDS), hostileString),
    text: commandText(['add', 'list', 'search', 'status', 'cancel', 'grant', '--no-verify']),
    drop: fc.subarray(FIELDS, { maxLength: 3 }),
    twice: fc.subarray(FIELDS, { maxLength: 2 }),
    extra: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PROTO_NAMES), hostileString), hostileString), { maxLength: 3 }),
    wrong: fc.array(fc.tuple(fc.constantFrom(...FIELDS), hostileString), { maxLength: 2 }),
  })
  .map((f) => {
    const fields = new Map<string, string>([
      ['token', 'x'], ['team_id', 'T1'], ['channel_id', 'C1'], ['user_id', f.user], ['user_name', 'fuzz'], ['command', f.command], ['text', f.text],
      ['response_url', bot.slack.responseUrl(`fuzz${triggers}`)], ['trigger_id', `fuzz-${process.pid}-${++triggers}`], ['api_app_id', 'A1'],
    ]);
    for (const [k, v] of f.wrong) fields.set(k, v);
    const pairs = [...fields].filter(([k]) => !f.drop.includes(k));
    for (const k of f.twice) pairs.push([k, fields.get(k) ?? '']);
    return new URLSearchParams([...pairs, ...f.extra]).toString();
  });

/** An interactive payload (`payload=<json>`): a confirm click with fields replaced, or any JSON at all. */
const BUTTON = {
  type: 'block_actions',
  team: { id: 'T1', domain: 'x' },
  user: { id: 'UVIEW', team_id: 'T1', username: 'victor', name: 'victor' },
  channel: { id: 'C1', name: 'ops' },
  api_app_id: 'A1',
  trigger_id: 't',
  response_url: 'http://127.0.0.1:9/r',
  actions: [{ type: 'button', action_id: 'opsline_confirm', block_id: 'b', value: 'ABC123', action_ts: '1' }],
};
const interactive = fc.oneof(
  fc.tuple(fc.constantFrom(['type'], ['user'], ['user', 'id'], ['team'], ['actions'], ['channel'], ['__proto__'], ['constructor'], ['trigger_id']), fc.oneof(hostileJson, hostileString)).map(([path, v]) =>
    JSON.stringify(withField({ ...BUTTON, trigger_id: `fuzz-i-${++triggers}` }, path, v)),
  ),
  fc.constantFrom(...[['user'], ['actions'], ['team'], ['channel'], ['response_url']].map((k) => JSON.stringify(Object.fromEntries(Object.entries(BUTTON).filter(([n]) => n !== k[0]))))),
  hostileJson.map((v) => JSON.stringify(v) ?? 'null'),
  hostileString,
).map((json) => new URLSearchParams({ payload: json }).toString());

/** Bytes that are not what the content type says: raw junk, broken %-escapes, JSON under a form type. */
const junk = fc.oneof(hostileString, fc.constantFrom('%', '%E0%A4%A', 'text=%FF%FE&command=%2Fhelp', '&&&==&', 'command=/help&text=a&text=b', 'payload=%7B', '{"command":"/help"}'));

const contentType = fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=latin1', 'application/json', 'text/plain', 'multipart/form-data; boundary=x');

async function signedPost(body: string, type: string): Promise<void> {
  const ts = Math.floor(Date.now() / 1000);
  const r = await post(bot.url, body, { 'content-type': type, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(SECRET, ts, body) });
  expectHandled(r, `${type} ${body}`);
}

describe('fuzz: signed Slack requests into the real /slack/events endpoint', () => {
  it('answers every slash-command form with a 4xx or a specific reply', async () => {
    await fuzzConcurrently(form, runs(1_000), (body) => signedPost(body, 'application/x-www-form-urlencoded'), 32);
  }, 600_000);

  it('answers every interactive payload with a 4xx or an ack', async () => {
    await fuzzConcurrently(interactive, runs(600), (body) => signedPost(body, 'application/x-www-form-urlencoded'), 32);
  }, 600_000);

  it('answers bodies that do not match their content type with a 4xx or an ack', async () => {
    await fuzzConcurrently(fc.tuple(junk, contentType), runs(300), ([body, type]) => signedPost(body, type), 32);
    // And is still serving.
    expect((await bot.command('/help', { user_id: 'UVIEW' })).status).toBe(200);
  }, 600_000);
});
