import { PassThrough, Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConsoleAdapter, splitLine } from '../../../src/adapters/console/adapter.js';
import { Screen } from '../../../src/adapters/console/screen.js';
import { ConsoleTransport } from '../../../src/adapters/console/transport.js';
import { buildConfig } from '../../../src/config/load.js';
import { demoConfig } from '../../../src/config/demo.js';
import { LiveThread } from '../../../src/core/live-thread.js';
import { buildApp } from '../../../src/main.js';

class Sink extends Writable {
  out = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.out += chunk.toString();
    cb();
  }
}

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
  it('redraws live lines in place on a TTY and keeps them below printed lines', () => {
    const sink = new Sink();
    const s = new Screen(sink, true);
    s.setLive('a', '10%');
    s.setLive('a', '20%');
    s.print('milestone');
    s.endLive('a');
    const clear = (n: number) => '\r\x1b[2K' + '\x1b[1A\x1b[2K'.repeat(n);
    expect(sink.out).toBe(`${clear(0)}10%\n${clear(1)}20%\n${clear(1)}milestone\n20%\n${clear(1)}20%\n`);
  });
  it('prints no live lines when not a TTY', () => {
    const sink = new Sink();
    const s = new Screen(sink, false);
    s.setLive('a', '10%');
    s.print('milestone');
    s.endLive('a');
    expect(sink.out).toBe('milestone\n');
  });
});

describe('ConsoleAdapter', () => {
  it('answers each line in order, survives bad lines and ends at end of input', async () => {
    const app = await buildApp(buildConfig(demoConfig('tester')), { log: pino({ level: 'silent' }), demo: true });
    const sink = new Sink();
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
      'unknown command /nope; try /help',
      'note #3 saved (storage not configured: notes are kept in memory until restart)',
      '#3 tester · just now — "x',
      '',
    ]);
  });

  it('renders a thread as indented lines under its root', async () => {
    const sink = new Sink();
    const screen = new Screen(sink, false);
    const transport = new ConsoleTransport(screen, 0);
    const th = await LiveThread.open(transport.starter({ key: 'console:t', name: 't' }), transport, 'burning a.iso on virtual for @t', 'queued');
    th.status('50%');
    await th.milestone('verifying');
    await th.finish('100%', 'done');
    expect(sink.out).toBe('#1 burning a.iso on virtual for @t\n   #1 │ queued\n   #1 │ verifying\n   #1 │ @t done\n');
  });
});
