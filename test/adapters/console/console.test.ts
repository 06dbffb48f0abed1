import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConsoleAdapter, splitLine } from '../../../src/adapters/console/adapter.js';
import { Screen } from '../../../src/adapters/console/screen.js';
import { ConsoleTransport } from '../../../src/adapters/console/transport.js';
import { buildConfig } from '../../../src/config/load.js';
import { demoConfig } from '../../../src/config/demo.js';
import { LiveThread } from '../../../src/core/live-thread.js';
import { bar } from '../../../src/core/reply.js';
import { buildApp } from '../../../src/app/main.js';
import { TextSink } from '../../helpers/text-sink.js';

describe('splitLine', () => {
  it('separates the command name from its argument text', () => {
    expect(splitLine('  /note add  hi there ')).toEqual({ command: 'note', text: 'add  hi there' });
    expect(splitLine('/help')).toEqual({ command: 'help', text: '' });
  });
  it('gives a hint for lines that are not commands', () => {
    expect(splitLine('')).toEqual({ hint: 'type a command, for example /help' });
    expect(splitLine('    ')).toEqual({ hint: 'type a command, for example /help' });
    expect(splitLine('help')).toEqual({ hint: 'commands start with "/", for example /help' });
    expect(splitLine('/ help')).toEqual({ hint: 'a command name must follow "/", for example /help' });
  });
});

describe('Screen', () => {
  const up = (n: number) => (n > 0 ? `\x1b[${n}A` : '');
  const clear = (n: number) => `${up(n)}\r\x1b[J`;

  it('goes up by screen rows, not entries: wrapped lines, wide characters and the prompt count', () => {
    const sink = new TextSink();
    let promptRow = 0;
    let prompts = 0;
    const s = new Screen(sink, true, { columns: () => 10 });
    s.setPrompt({ cursorRow: () => promptRow, redraw: () => void prompts++ });
    s.setLive('a', 'x'.repeat(25)); // 3 rows at 10 columns
    s.setLive('b', '🔥'.repeat(6)); // 12 columns wide: 2 rows
    promptRow = 1; // the input wrapped onto a second row
    s.print('milestone');
    expect(sink.out).toBe(
      `${clear(0)}xxxxxxxxxx\nxxxxxxxxxx\nxxxxx\n` +
        `${clear(3)}xxxxxxxxxx\nxxxxxxxxxx\nxxxxx\n🔥🔥🔥🔥🔥\n🔥\n` +
        `${clear(1 + 5)}milestone\nxxxxxxxxxx\nxxxxxxxxxx\nxxxxx\n🔥🔥🔥🔥🔥\n🔥\n`,
    );
    expect(prompts).toBe(3);
  });

  it('measures again at the new width after a resize', () => {
    const sink = new TextSink();
    let columns = 20;
    const s = new Screen(sink, true, { columns: () => columns });
    s.setLive('a', 'y'.repeat(20)); // one row at 20 columns
    columns = 10; // the terminal re-flows that row onto two
    sink.out = '';
    s.resize();
    expect(sink.out).toBe(`${clear(2)}yyyyyyyyyy\nyyyyyyyyyy\n`);
  });

  it('keeps the entered line above the live lines and draws no prompt once input has closed', () => {
    const sink = new TextSink();
    let prompts = 0;
    const s = new Screen(sink, true, { columns: () => 80 });
    s.setPrompt({ cursorRow: () => 0, redraw: () => void prompts++ });
    s.setLive('a', '50%');
    s.commitInput('opsline> /whoami'); // readline left the cursor below it
    s.closeInput('opsline> ');
    s.print('bye');
    expect(sink.out).toBe(`${clear(0)}50%\n${clear(2)}opsline> /whoami\n50%\n${clear(1)}opsline> \n50%\n${clear(1)}bye\n50%\n`);
    expect(prompts).toBe(2);
  });

  it("prints permanent lines and a live line's last text when it ends, when not a TTY", () => {
    const sink = new TextSink();
    const s = new Screen(sink, false);
    s.setLive('a', '10%');
    s.setLive('a', '✔ done in 0:07');
    s.print('milestone');
    s.endLive('a');
    expect(sink.out).toBe('milestone\n✔ done in 0:07\n');
  });
});

describe('ConsoleAdapter', () => {
  it('answers each line in order, survives bad lines and ends at end of input', async () => {
    const app = await buildApp(buildConfig(demoConfig('tester')), { log: pino({ level: 'silent' }), demo: true });
    const sink = new TextSink();
    const screen = new Screen(sink, false);
    const transport = new ConsoleTransport(screen);
    const input = new PassThrough();
    const adapter = new ConsoleAdapter({ input, screen, transport, principal: { key: 'console:tester', name: 'tester' } });
    await adapter.start((inv, threads) => app.dispatcher.dispatch(inv, threads));
    input.end(['/whoami', '', 'oops', '/nope', '/note add "x', '/note list 1'].join('\n'));
    await adapter.done;
    expect(sink.out.split('\n')).toEqual([
      'You are tester',
      '  key: console:tester',
      '  roles: admin (config)',
      'type a command, for example /help',
      'commands start with "/", for example /help',
      'unknown command /nope; did you mean /note? try /help',
      'note #3 saved (storage not configured: notes are kept in memory until restart)',
      '#3 tester · just now — "x',
      '',
    ]);
  });

  it('renders a thread as indented lines under its root', async () => {
    const sink = new TextSink();
    const screen = new Screen(sink, false);
    const transport = new ConsoleTransport(screen, { editIntervalMs: 0 });
    const th = await LiveThread.open(transport.starter({ key: 'console:t', name: 't' }), transport, 'burning a.iso on virtual for @t', 'queued');
    th.status('50%');
    await th.milestone('verifying');
    await th.finish('100%', 'done');
    expect(sink.out).toBe('#1 burning a.iso on virtual for @t\n   #1 │ queued\n   #1 │ verifying\n   #1 │ 100%\n   #1 │ @t done\n');
  });

  it('in a pipe, prints a progress status each time it passes another 10% of its phase', async () => {
    const sink = new TextSink();
    const transport = new ConsoleTransport(new Screen(sink, false), { editIntervalMs: 0 });
    const ref = { ...(await transport.starter({ key: 'console:t', name: 't' }).startThread('burning')), statusId: 's1' };
    const at = (phase: string, pct: number) => `${phase} ${bar(pct / 100, 20)} ${pct}% · 1.0/4.0 MB`;
    for (const [phase, pct] of [['writing', 4], ['writing', 12], ['writing', 19], ['writing', 47], ['verifying', 0], ['verifying', 100]] as const)
      await transport.edit(ref, 's1', at(phase, pct));
    await transport.edit(ref, 's1', '✔ done in 0:07');
    await transport.close(ref);
    expect(sink.out.split('\n')).toEqual(['#1 burning', `   #1 │ ${at('writing', 12)}`, `   #1 │ ${at('writing', 47)}`, `   #1 │ ${at('verifying', 100)}`, '   #1 │ ✔ done in 0:07', '']);
  });

  it("draws nothing of another console's thread: its owner does, through the relay", async () => {
    const sink = new TextSink();
    const transport = new ConsoleTransport(new Screen(sink, false), { channel: 'console:here', editIntervalMs: 0 });
    const theirs = { platform: 'console', channel: 'console:there', rootId: '#1', statusId: '1', requester: { key: 'console:t', name: 't' } };
    const th = LiveThread.reopen(transport, theirs);
    th.status('worker lost; waiting for another to pick it up');
    await th.milestone('worker lost; waiting for another to pick it up (job b1234ab)');
    await th.finish('✔ done in 0:07', 'done');
    expect(sink.out).toBe('');
  });
});
