import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditSink } from '../../../src/core/audit.js';
import { SECRET, startSlackBot, type SlackBot } from '../../helpers/slack-bot.js';
import { slackSignature } from '../../helpers/slack-double.js';
import { postSigned, slashBody } from '../../helpers/slack-request.js';

let bot: SlackBot;
let socket: SlackBot;
const audit = new MemoryAuditSink();
let n = 0;

beforeAll(async () => {
  bot = await startSlackBot({ audit });
  socket = await startSlackBot({ mode: 'socket' });
});
afterAll(async () => {
  await bot?.stop();
  await socket?.stop();
});

const notes = async (b: SlackBot) => (await b.app.services.notes.list(50)).length;
const form = (fields: [string, string][]) => new URLSearchParams(fields).toString();
const noteBody = (text: string, extra: Record<string, string> = {}) =>
  slashBody({ command: '/note', text, trigger_id: `hostile-${++n}`, response_url: bot.slack.responseUrl(`h${n}`), ...extra });
const pressPayload = (extra: Record<string, unknown>) =>
  form([['payload', JSON.stringify({ type: 'block_actions', team: { id: 'T1' }, channel: { id: 'C1' }, trigger_id: `press-${++n}`, actions: [{ type: 'button', action_id: 'opsline_confirm', value: 'X' }], ...extra })]]);

/** Posts a signed body and checks that it was refused with a 400 naming the field, storing and auditing nothing. */
async function refused(body: string, field: RegExp, contentType?: string) {
  const before = { notes: await notes(bot), audit: audit.records.length };
  const r = contentType
    ? await fetch(bot.url, { method: 'POST', headers: signedHeaders(body, contentType), body }).then(async (res) => ({ status: res.status, text: await res.text() }))
    : await postSigned(bot.url, body, { secret: SECRET });
  expect(r.status).toBe(400);
  expect(r.text).toMatch(field);
  expect(await notes(bot)).toBe(before.notes);
  expect(audit.records.length).toBe(before.audit);
}

function signedHeaders(body: string, contentType: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(SECRET, ts, body) };
}

describe('signed but malformed Slack requests', () => {
  it('refuses a form key given twice (text, command) with a 400 and runs nothing', async () => {
    await refused(`${noteBody('add first')}&text=${encodeURIComponent('add second')}`, /^bad request: text: given more than once/);
    await refused(`${noteBody('add x')}&command=%2Fdeploy`, /^bad request: command: given more than once/);
  });

  it('refuses overlong ids and names that would not fit their columns, and wrong shapes', async () => {
    await refused(noteBody('add long channel', { channel_id: 'C'.repeat(300) }), /channel_id/);
    await refused(noteBody('add long name', { user_name: 'n'.repeat(300) }), /user_name/);
    await refused(noteBody('add long user', { user_id: 'U'.repeat(300) }), /user_id/);
    await refused(noteBody('add bad team', { team_id: '../../x' }), /team_id/);
    await refused(noteBody(`add ${'x'.repeat(5000)}`), /text/);
    await refused(form([['command', '/note'], ['text', 'add no ids']]), /team_id|user_id|channel_id/);
    await refused(noteBody('add odd command', { command: '/no te' }), /command/);
  });

  it('refuses block_actions without a user, or with a malformed one, instead of a 500', async () => {
    await refused(pressPayload({}), /user/);
    await refused(pressPayload({ user: { id: 'U'.repeat(300) } }), /user\.id/);
    await refused(pressPayload({ user: 'UADMIN' }), /user/);
    await refused(pressPayload({ user: { id: 'UADMIN' }, actions: [] }), /actions/);
    await refused(form([['payload', '{not json']]), /payload: not JSON/);
  });

  it('refuses JSON that is not an object, unknown content types, and deep or huge bodies', async () => {
    await refused('[1,2,3]', /not a JSON object/, 'application/json');
    await refused('text=a', /content-type/, 'text/plain');
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    await refused(deep, /not a JSON object/, 'application/json');
    const huge = await postSigned(bot.url, noteBody(`add ${'x'.repeat(100_000)}`), { secret: SECRET });
    expect(huge.status).toBe(413);
  });

  it('answers a malformed command over Socket Mode with a short reply and runs nothing', async () => {
    const before = await notes(socket);
    const ack = await socket.slack.sendEnvelope(
      'slash_commands',
      { team_id: 'T1', channel_id: 'C'.repeat(300), user_id: 'UADMIN', user_name: 'alice', command: '/note', text: 'add long', trigger_id: 'sock-hostile-1' },
      'env-hostile-1',
    );
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral' });
    expect(String((ack.payload as { text: string }).text)).toMatch(/^opsline cannot read this command \(channel_id: /);
    const arr = await socket.slack.sendEnvelope(
      'slash_commands',
      { team_id: 'T1', channel_id: 'C1', user_id: 'UADMIN', command: '/note', text: ['add a', 'add b'], trigger_id: 'sock-hostile-2' },
      'env-hostile-2',
    );
    expect(String((arr.payload as { text: string }).text)).toMatch(/^opsline cannot read this command \(text: /);
    expect(await notes(socket)).toBe(before);
  });
});

describe('replayed Slack requests', () => {
  const untriggered = (text: string) => form([...new URLSearchParams(noteBody(text))].filter(([k]) => k !== 'trigger_id'));

  it('runs identical signed bytes without a trigger_id once', async () => {
    const before = await notes(bot);
    const body = untriggered('add replayed once');
    const timestamp = Math.floor(Date.now() / 1000);
    const first = await postSigned(bot.url, body, { secret: SECRET, timestamp });
    const replay = await postSigned(bot.url, body, { secret: SECRET, timestamp });
    expect(first.status).toBe(200);
    expect(first.json?.text).toMatch(/^note #\d+ saved/);
    expect(replay.status).toBe(200);
    expect(replay.text).toBe('');
    expect(await notes(bot)).toBe(before + 1);
  });

  it('runs two different requests without a trigger_id both', async () => {
    const before = await notes(bot);
    const timestamp = Math.floor(Date.now() / 1000);
    expect((await postSigned(bot.url, untriggered('add first of two'), { secret: SECRET, timestamp })).json?.text).toMatch(/saved/);
    expect((await postSigned(bot.url, untriggered('add second of two'), { secret: SECRET, timestamp })).json?.text).toMatch(/saved/);
    expect(await notes(bot)).toBe(before + 2);
  });
});
