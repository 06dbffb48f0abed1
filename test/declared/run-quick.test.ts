import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { runCommandEntry } from '../../src/config/declared-run.js';
import { declaredRunCommand } from '../../commands/declared/run.js';
import { MemoryBurnQueue } from '../../src/services/queue/memory.js';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { TestAdapter, users } from '../helpers/test-adapter.js';

let f: AgentFixture;
let t: TestAdapter;
let marker: string;
const VIEWER = 'console:vera';
const NOBODY = 'console:nobody';

beforeAll(async () => {
  f = await agentFixture([]);
  marker = join(f.root, 'ran');
  await writeFile(marker, '');
  const script = join(f.root, 'uptime.mjs');
  // Records each run's argv, then answers like uptime(1).
  await writeFile(script, `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(marker)}, JSON.stringify(process.argv.slice(2)) + '\\n');\nconsole.log(' 12:00:00 up 3 days,  1 user,  load average: ' + (process.argv[2] ?? '0.00'));\n`);
  await f.start({
    commands: {
      uptime: { argv: [process.execPath, script], refPattern: '^x$', timeoutSec: 10 },
      load: { argv: [process.execPath, script, '{host}'], refPattern: '^x$', timeoutSec: 10, args: { host: { pattern: '[a-z][a-z0-9-]{0,30}' } } },
    },
  });
  const entry = (o: Record<string, unknown>) => runCommandEntry.parse({ kind: 'run', agent: 'a1', quick: true, roles: ['viewer'], ...o });
  const declared = [
    declaredRunCommand(entry({ name: 'uptime', description: 'How long a host has been up', run: 'uptime' })),
    // The bot's pattern is looser than the agent's on purpose: the agent still refuses what it does not allow.
    declaredRunCommand(entry({ name: 'load', description: 'Load on a host', run: 'load', args: [{ name: 'host', pattern: '[A-Za-z0-9.-]{1,40}' }] })),
    declaredRunCommand(entry({ name: 'guarded', description: 'Uptime, after a confirmation', run: 'uptime', confirm: true })),
  ];
  t = await TestAdapter.create({
    demo: false,
    config: { access: { users: users({ [VIEWER]: ['viewer'] }) } },
    commands: [...commands, ...declared],
    burns: { devices: f.client(), queue: new MemoryBurnQueue() },
  });
});
afterAll(async () => {
  await t?.stop();
  await f.cleanup();
});

const runs = async (): Promise<string[]> => (await readFile(marker, 'utf8')).split('\n').filter(Boolean);

describe('a quick declared run command (/uptime) against a real agent over CURVE', () => {
  it('answers in place with the output, exit code and duration, and audits once', async () => {
    const [r] = await t.say(VIEWER, '/uptime');
    const final = r?.later ? await r.later : r;
    expect(final?.text).toMatch(/^\/uptime on a1: ✔ exit 0 · \d+\.\d s$/);
    expect(final?.pre).toContain('load average: 0.00');
    const rows = t.audit.records.filter((a) => a.command === 'uptime');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ decision: 'allow', outcome: 'ok' });
  });

  it('sends a typed value as one argv element', async () => {
    const [r] = await t.say(VIEWER, '/load web-1');
    const final = r?.later ? await r.later : r;
    expect(final?.pre).toContain('load average: web-1');
    expect(await runs()).toContain('["web-1"]');
  });

  it('refuses hostile values in the bot with a short reply naming the argument, one audit row each, nothing run', async () => {
    const before = await runs();
    // 100 KB is refused by the pipeline's input limit before any argument is read.
    for (const [v, why] of [['-rf', /host may not begin with "-"/], ['--upload-pack=touch', /unknown option --upload-pack/], ['../etc', /host may not contain a "\.\." path segment/], ['a/../b', /host may not contain/], ['x'.repeat(41), /host/], ['x'.repeat(100_000), /too long/]] as const) {
      const label = v.slice(0, 24);
      const n = t.audit.records.length;
      const [r] = await t.say(VIEWER, `/load ${v}`);
      expect(r?.text, label).toMatch(why);
      expect(r?.text.length, label).toBeLessThan(300);
      expect(t.audit.records.length - n, label).toBe(1);
    }
    expect(await runs()).toEqual(before);
  });

  it('a value the bot allows but the agent does not is refused by the agent, naming the argument', async () => {
    const before = await runs();
    const [r] = await t.say(VIEWER, '/load Web.1');
    const final = r?.later ? await r.later : r;
    expect(final?.text).toMatch(/host must match/);
    expect(await runs()).toEqual(before);
  });

  it('confirm: true asks first and runs nothing until confirmed', async () => {
    const before = await runs();
    const [r] = await t.say(VIEWER, '/guarded');
    expect(r?.text).toContain('run /guarded on a1?');
    expect(await runs()).toEqual(before);
  });

  it('needs its roles: a caller without them is refused and nothing runs', async () => {
    const before = await runs();
    const [r] = await t.say(NOBODY, '/uptime');
    expect(r?.text).toMatch(/viewer/);
    expect(await runs()).toEqual(before);
  });
});
