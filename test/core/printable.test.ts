import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveThread } from '../../src/core/live-thread.js';
import { replyToText, reply } from '../../src/core/reply.js';
import { createLogger } from '../../src/log.js';
import { prettyDestination } from '../../src/log-pretty.js';
import { ChannelPosters } from '../../src/schedules/outbox.js';
import { RecordingPoster } from '../helpers/recording-poster.js';
import { ADMIN, RecordingTransport, TestAdapter, users } from '../helpers/test-adapter.js';

/** ESC (C0), CSI (C1), DEL, a bidi override, CR and backspace: each one can change what a terminal shows. */
const HOSTILE = 'a\u001b[2Jb\u009b31mc\u007fd\u202egnp.exe\re\bf';
const SHOWN = 'a\\u001b[2Jb\\u009b31mc\\u007fd\\u202egnp.exe\\u000de\\u0008f';
/** Any character that must not reach a terminal or a chat as it is (src/core/printable.ts). */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let bot: TestAdapter;
beforeAll(async () => {
  bot = await TestAdapter.create({ config: { access: { users: users({ [ADMIN]: ['admin'] }) } } });
});
afterAll(async () => {
  await bot.stop();
});

describe('control characters from outside', () => {
  it('are refused in typed input: C1 (U+009B is CSI) and bidi overrides too, not only C0', async () => {
    for (const line of ['/note add a\u009b2Jb', '/note add \u0085next line', '/note add \u202egnp.exe', '/note add \u2066isolate\u2069'])
      expect(await bot.text(ADMIN, line), JSON.stringify(line)).toBe('input contains control characters');
    expect((await bot.app.services.notes.list(10)).some((n) => RAW.test(n.body))).toBe(false);
  });

  it('a stored note that has them (written before the filter, or by another tool) is listed with each one as visible text', async () => {
    await bot.app.services.notes.add({ authorKey: 'console:old', authorName: 'old\u009b2J', platform: 'console', room: 'console', body: HOSTILE });
    const [listed] = await bot.say(ADMIN, '/note list 1');
    const text = replyToText(listed!);
    expect(text).not.toMatch(RAW);
    expect(text).toContain(`old\\u009b2J · `);
    // /note list puts a note on one line: CR is white space there.
    expect(text).toContain(SHOWN.replace('\\u000d', ' '));
  });

  it('job output in a thread (root, status, milestones, final line) carries none of them', async () => {
    const t = new RecordingTransport(0);
    const th = await LiveThread.open(t.starter({ key: 'console:alice', name: 'alice\u202e' }), t, `deploying x for alice\u202e`, `queued ${HOSTILE}`);
    th.status(`running\n${HOSTILE}`);
    await th.milestone(HOSTILE);
    await th.finish(`done ${HOSTILE}`, `deploy failed: ${HOSTILE}`);
    expect(t.messages.length).toBeGreaterThanOrEqual(5);
    for (const m of t.messages) expect(m.text, JSON.stringify(m)).not.toMatch(RAW);
    expect(t.messages.map((m) => m.text)).toContain(SHOWN);
  });

  it('a schedule, alert or job-failure post carries none of them', async () => {
    const posters = new ChannelPosters();
    const recorder = new RecordingPoster('console');
    posters.add(recorder);
    await posters.get('console')!.post('ops', { reply: reply(`burn failed: ${HOSTILE}`, { pre: HOSTILE, fields: [{ label: 'why', value: HOSTILE }] }), mentions: [] });
    expect(recorder.posts[0]?.text).toBe(`burn failed: ${SHOWN}\n${SHOWN}`);
  });

  it('log lines hold them only as JSON escapes, and the console shows those escapes as text', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    createLogger({ level: 'info', destination }).warn({ line: HOSTILE }, `agent said ${HOSTILE}`);
    expect(lines[0]).not.toMatch(RAW);
    // The same values: only how they are written changed.
    expect(JSON.parse(lines[0]!)).toMatchObject({ line: HOSTILE, msg: `agent said ${HOSTILE}` });
    const shown: string[] = [];
    prettyDestination((t) => shown.push(t), false).write(lines[0]!);
    expect(shown[0]).not.toMatch(RAW);
    expect(shown[0]).toContain(`agent said ${SHOWN}`);
  });
});
