import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../../helpers/cli-child.js';
import { createTestDatabase } from '../../helpers/mysql.js';
import { tmuxPane, type TmuxPane } from '../../helpers/tmux.js';

const BAR = /│ (writing|verifying) [█░]{20} \d+%/;
let pane: TmuxPane | undefined;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
});
afterEach(async () => {
  await pane?.kill();
});

const has = (text: string | RegExp) => (lines: string[]) => lines.some((l) => (typeof text === 'string' ? l.includes(text) : text.test(l)));
const count = (lines: string[], re: RegExp) => lines.filter((l) => re.test(l)).length;

describe('the console in a real terminal (tmux)', () => {
  it('keeps typed input and every output line while a burn redraws, through a resize and Ctrl-D, then exits', async () => {
    pane = await tmuxPane([process.execPath, CLI, 'console', '--demo'], { width: 80, height: 24 });
    await pane.waitFor('the prompt', has(/^opsline>$/), 60_000);
    expect((await pane.lines())[0]).toMatch(/^opsline \d+\.\d+\.\d+ · \/help lists the commands · Ctrl-D quits$/);
    await pane.type('/burn sample.iso');
    await pane.keys(['Enter']);
    await pane.waitFor('the live bar', has(/│ writing [█░]{20} \d+%/));
    // Typed while the bar redraws: the reply goes above, the bar stays below it, the prompt last.
    await pane.type('/whoami');
    await pane.keys(['Enter']);
    await pane.waitFor('the reply', has(/^You are \S+$/));
    await pane.resize(60, 20);
    // A half-typed command must survive the redraws that follow.
    await pane.type('/note list 1');
    const before = (await pane.lines()).find((l) => BAR.test(l));
    const during = await pane.waitFor('a redraw with the typed text kept', (l) => l.some((x) => BAR.test(x) && x !== before) && l.filter(Boolean).at(-1) === 'opsline> /note list 1');
    expect(count(during, BAR)).toBe(1);
    await pane.keys(['Enter']);
    await pane.waitFor('the note', has(/^#2 demo · /));
    await pane.keys(['C-d']);
    await pane.waitFor('what it waits for', has('waiting for 1 job to end; Ctrl-C cancels it and quits'));
    expect(await pane.exited()).toBe(0);
    const lines = (await pane.lines()).filter((l) => l !== '');
    // Nothing lost: every command as typed, its reply, every milestone and the final lines.
    const expected = [
      /^opsline> \/burn sample\.iso$/,
      /^#1 burning sample\.iso on virtual for @\S+ \(job b[a-z0-9]{6}\)$/,
      /^ {3}#1 │ queued$/,
      /^burn job b[a-z0-9]{6} queued on demo\/virtual \(starting now\); progress is in the thread$/,
      /^ {3}#1 │ writing sample\.iso to virtual$/,
      /^opsline> \/whoami$/,
      /^You are \S+$/,
      /^opsline> \/note list 1$/,
      /^#2 demo · /,
      /^opsline> \^D$/,
      /^waiting for 1 job to end; /,
      /^ {3}#1 │ verifying…$/,
      /^ {3}#1 │ verified ✔ the disc matches the image$/,
      /^ {3}#1 │ sha256 [0-9a-f]{64}$/,
      /^ {3}#1 │ ✔ done in \d+:\d\d$/,
      /^ {3}#1 │ @\S+ burn of sample\.iso on virtual finished ✔ \(verified\)$/,
    ];
    for (const re of expected) expect(count(lines, re), String(re)).toBe(1);
    // Nothing duplicated: no stale copy of a live bar, no line twice.
    expect(count(lines, BAR)).toBe(0);
    expect(lines.filter((l, i) => lines.indexOf(l) !== i)).toEqual([]);
  }, 90_000);

  it('quits at once with nothing running, ending on a fresh line', async () => {
    pane = await tmuxPane([process.execPath, CLI, 'console', '--demo'], { width: 80, height: 24 });
    await pane.waitFor('the prompt', has(/^opsline>$/), 60_000);
    await pane.keys(['C-c']);
    expect(await pane.exited()).toBe(0);
    expect((await pane.lines()).filter(Boolean).at(-1)).toBe('opsline> ^C');
  }, 90_000);

  it('Ctrl-C with half a line typed clears the line and keeps the console; on an empty line it quits', async () => {
    pane = await tmuxPane([process.execPath, CLI, 'console', '--demo'], { width: 80, height: 24 });
    await pane.waitFor('the prompt', has(/^opsline>$/), 60_000);
    await pane.type('/note add half a thou');
    await pane.keys(['C-c']);
    // As in a shell: the dropped line stays above with ^C, and a fresh prompt waits below it.
    await pane.waitFor('a fresh prompt under the dropped line', (l) => {
      const shown = l.filter(Boolean);
      return shown.at(-2) === 'opsline> /note add half a thou^C' && shown.at(-1) === 'opsline>';
    });
    await pane.type('/whoami');
    await pane.keys(['Enter']);
    await pane.waitFor('the reply', has(/^You are \S+$/));
    await pane.keys(['C-c']);
    expect(await pane.exited()).toBe(0);
    const lines = await pane.lines();
    expect(lines.filter(Boolean).at(-1)).toBe('opsline> ^C');
    // Nothing of the dropped line ran.
    expect(lines.filter((l) => /note #\d+ saved/.test(l))).toEqual([]);
    expect(lines).toContain('opsline> /whoami');
  }, 90_000);

  it('Ctrl-C with a burn running ends input and says what it waits for; a second Ctrl-C cancels it and quits', async () => {
    pane = await tmuxPane([process.execPath, CLI, 'console', '--demo'], { width: 80, height: 24 });
    await pane.waitFor('the prompt', has(/^opsline>$/), 60_000);
    await pane.type('/burn sample.iso');
    await pane.keys(['Enter']);
    await pane.waitFor('the live bar', has(/│ writing [█░]{20} \d+%/));
    await pane.keys(['C-c']);
    await pane.waitFor('what it waits for', has('waiting for 1 job to end; Ctrl-C cancels it and quits'));
    // Input is closed now: the terminal turns this Ctrl-C into SIGINT, which the wait listens for.
    await pane.keys(['C-c']);
    await pane.waitFor('the goodbye', has('cancelling the running jobs and quitting'));
    expect(await pane.exited()).toBe(0);
    const lines = await pane.lines();
    expect(count(lines, /finished ✔/)).toBe(0);
  }, 90_000);

  for (const [log, shown] of [['', false], ['log: { level: info }', true]] as const) {
    it(`${log ? 'keeps an explicit log.level info' : 'lowers the default log level to warn'} on a terminal`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'opsline-tty-'));
      const config = join(dir, 'opsline.yaml');
      await writeFile(config, `${log}\nconsole: { user: tester }\naccess: { users: [{ key: "console:tester", name: tester, roles: [viewer] }] }\n`);
      pane = await tmuxPane([process.execPath, CLI, '--config', config, 'console'], { width: 80, height: 24 });
      await pane.waitFor('the prompt', has(/^opsline>$/), 60_000);
      await pane.type('/nosuch');
      await pane.keys(['Enter']);
      // Without MySQL the audit trail is the log: at info, one line per command, logged before its reply.
      const lines = await pane.waitFor('the reply', has('unknown command /nosuch; try /help'));
      expect(count(lines, /^\[\d\d:\d\d:\d\d\] INFO: audit console:tester nosuch: unknown, refused \(unknown_command\), \d+ ms$/)).toBe(shown ? 1 : 0);
      // A caller's mistake is not an operator's event: no refusal block of fields at info.
      expect(count(lines, /INFO: refused/)).toBe(0);
      expect(count(lines, /^ {4}\S+: /)).toBe(0);
      await rm(dir, { recursive: true, force: true });
    }, 90_000);
  }

  // U+009B is CSI in one character: printed raw, `\u009b2J` would clear the admin's screen like ESC [2J.
  it('shows control characters from a stored note and from typed input as visible text, never raw', async () => {
    const db = await createTestDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'opsline-tty-'));
    try {
      const body = 'keep\u009b2Jthis\u001b[2Jline\u202eexe.txt';
      await db.sql('INSERT INTO notes (author_key, author_name, platform, room, body) VALUES (?, ?, ?, ?, ?)', ['console:old', 'old\u009b31m', 'console', 'console', body]);
      const config = join(dir, 'opsline.yaml');
      await writeFile(config, `console: { user: tester }\nmysql: { url: "${db.appUrl()}" }\naccess: { users: [{ key: "console:tester", name: tester, roles: [writer] }] }\n`);
      pane = await tmuxPane([process.execPath, CLI, '--config', config, 'console'], { width: 100, height: 24 });
      await pane.waitFor('the prompt', has(/^opsline>$/), 60_000);
      const banner = (await pane.lines())[0];
      await pane.type('/note list 1');
      await pane.keys(['Enter']);
      const lines = await pane.waitFor('the note', has(/^#\d+ old/));
      expect(lines.find((l) => /^#\d+ old/.test(l))).toMatch(/^#\d+ old\\u009b31m · .* — keep\\u009b2Jthis\\u001b\[2Jline\\u202eexe\.txt$/);
      // Nothing was cleared: the first line is still there, and so is the command.
      expect((await pane.lines())[0]).toBe(banner);
      expect(await pane.lines()).toContain('opsline> /note list 1');
      await pane.type('/note add red\u009b31malert');
      await pane.keys(['Enter']);
      await pane.waitFor('the refusal', has(/^input contains control characters$/));
      expect(await pane.lines()).toContain('opsline> /note add red\\u009b31malert');
      expect(await db.sql('SELECT id FROM notes')).toHaveLength(1);
      await pane.keys(['C-d']);
      expect(await pane.exited()).toBe(0);
    } finally {
      await Promise.all([db.drop(), rm(dir, { recursive: true, force: true })]);
    }
  }, 90_000);
});
