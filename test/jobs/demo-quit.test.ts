import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Screen } from '../../src/adapters/console/screen.js';
import { ConsoleTransport } from '../../src/adapters/console/transport.js';
import { buildConfig } from '../../src/config/load.js';
import { demoConfig } from '../../src/config/demo.js';
import { buildApp } from '../../src/app/main.js';
import { TextSink } from '../helpers/text-sink.js';
import { until } from '../helpers/until.js';

describe('the demo quitting with jobs under way (its jobs run in its own process)', () => {
  it('cancels them, and every thread says cancelled: not failed, not lost track', async () => {
    const app = await buildApp(buildConfig(demoConfig('tester')), { log: pino({ level: 'silent' }), demo: true, demoAgent: true });
    const sink = new TextSink();
    const transport = new ConsoleTransport(new Screen(sink, false), { editIntervalMs: 0 });
    app.transports.add(transport);
    await app.startWorkers();
    const me = { key: 'console:tester', name: 'tester' };
    let n = 0;
    const say = (command: string, text: string) =>
      app.dispatcher.dispatch({ id: `q-${++n}`, platform: 'console', principal: me, room: 'console', command, text, receivedAt: new Date() }, transport.starter(me));
    const first = (await say('burn', 'sample.iso')).text;
    expect(first).toMatch(/^burn job b[a-z0-9]{6} queued/);
    const second = (await say('burn', 'sample.iso')).text;
    expect(second).toMatch(/^burn job b[a-z0-9]{6} queued on demo\/virtual \(1 ahead of it\)/);
    const code = /\/confirm ([A-Z2-9]{6})/.exec((await say('deploy', 'demo v1')).text)?.[1];
    const deploy = (await say('confirm', code ?? '')).text;
    expect(deploy).toMatch(/^deploy job d[a-z0-9]{6} of demo at v1 queued/);
    const ids = [first, second, deploy].map((t) => /job ([bd][a-z0-9]{6})/.exec(t)?.[1] ?? '');
    const lines = () => sink.out.split('\n');
    await until(() => lines().includes('   #1 │ writing sample.iso to virtual') && lines().some((l) => l.startsWith('   #3 │ running: ')), { timeoutMs: 60_000 });
    await app.stop();
    const of = (t: string) => lines().filter((l) => l.startsWith(`   ${t} │ `)).map((l) => l.slice(`   ${t} │ `.length));
    expect(of('#1').slice(-2)).toEqual(['✘ cancelled', '@tester burn of sample.iso on virtual was cancelled; the disc may be unusable']);
    expect(of('#2')).toEqual(['queued', '✘ cancelled', '@tester burn cancelled before it started: the demo quit']);
    expect(of('#3').at(-1)).toMatch(/^@tester deploy of demo v1 was cancelled \(\d+:\d\d\)$/);
    expect(sink.out).not.toMatch(/failed|lost track/);
    // Each end is in the job record once, as cancelled: the running ones by their workers, the queued one by the quit.
    const records = await Promise.all(ids.map((id) => app.services.jobLog?.get(id)));
    expect(records.map((r) => [r?.id, r?.outcome, r?.endedAt !== undefined])).toEqual(ids.map((id) => [id, 'cancelled', true]));
    expect(records[1]?.result).toBe('burn cancelled before it started: the demo quit');
  }, 90_000);
});
