import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/services/devices/index.js';
import { ZmqDeviceClient } from '../../src/services/devices/client.js';
import { agentFixture, silent, type AgentFixture } from '../helpers/agent-fixture.js';
import { rawDealer } from '../helpers/raw-dealer.js';
import { startV1Agent } from '../helpers/v1-agent.js';

let f: AgentFixture;
let marker: string;

const collect = async (s: AsyncIterable<RunEvent>): Promise<RunEvent[]> => {
  const out: RunEvent[] = [];
  for await (const e of s) out.push(e);
  return out;
};
const args = (o: Record<string, string>): ReadonlyMap<string, string> => new Map(Object.entries(o));

beforeAll(async () => {
  f = await agentFixture([]);
  marker = join(f.root, 'ran');
  const script = join(f.root, 'echo-argv.mjs');
  // Records its argv (one JSON line per run), so the test sees exactly which elements ran.
  await writeFile(script, `import { appendFileSync } from 'node:fs';\nconst a = process.argv.slice(2);\nappendFileSync(${JSON.stringify(marker)}, JSON.stringify(a) + '\\n');\nconsole.log('argv=' + JSON.stringify(a));\nprocess.exit(a[0] === 'fail' ? 4 : 0);\n`);
  await writeFile(marker, '');
  await f.start({
    commands: {
      // A deploy command (v1 `ref`) beside declared ones (v2 `args`).
      deploy: { argv: [process.execPath, script, '{ref}'], refPattern: '^[a-z]+$', timeoutSec: 30 },
      uptime: { argv: [process.execPath, script, 'up'], refPattern: '^[a-z]+$', timeoutSec: 30 },
      restart: { argv: [process.execPath, script, '{service}', '--', '{path}'], refPattern: '^[a-z]+$', timeoutSec: 30, args: { service: { pattern: '[a-z][a-z0-9-]{0,30}' }, path: { pattern: '[A-Za-z0-9._/ -]+', maxLength: 40 } } },
      negative: { argv: [process.execPath, script, '{n}'], refPattern: '^[a-z]+$', timeoutSec: 30, args: { n: { pattern: '^-?[0-9]{1,4}$' } } },
    },
  });
});
afterAll(() => f.cleanup());

describe('declared run commands on a real agent over CURVE', () => {
  it('hello lists the capabilities, including declared commands', async () => {
    const h = await f.client().hello('a1');
    expect(h.capabilities).toEqual(expect.arrayContaining(['burn', 'deploy', 'commands']));
  });

  it('runs a command with each typed value as exactly one argv element, and reports exit code and duration', async () => {
    const c = f.client();
    const events = await collect(await c.runCommand('a1', { jobId: 'dc-1', command: 'restart', args: args({ service: 'web-1', path: 'a b/c d' }) }));
    expect(events).toContainEqual({ type: 'log', line: 'argv=["web-1","--","a b/c d"]' });
    const done = events.at(-1);
    expect(done).toMatchObject({ type: 'done', result: { kind: 'run', outcome: 'ok', exitCode: 0, command: 'restart', args: { service: 'web-1', path: 'a b/c d' } } });
    expect(done?.type === 'done' && done.result.ref).toBeUndefined();
    // Known jobId: re-attached, not run again.
    const again = await c.runCommand('a1', { jobId: 'dc-1', command: 'restart', args: args({ service: 'web-1', path: 'a b/c d' }) });
    expect(again.attached).toBe(true);
    await collect(again);
    expect((await readFile(marker, 'utf8')).trim().split('\n')).toEqual(['["web-1","--","a b/c d"]']);
  });

  it('a pattern that starts with a literal - lets a value start with -', async () => {
    const events = await collect(await f.client().runCommand('a1', { jobId: 'dc-neg', command: 'negative', args: args({ n: '-5' }) }));
    expect(events).toContainEqual({ type: 'log', line: 'argv=["-5"]' });
  });

  it('keeps deploy commands (v1 ref) working beside declared ones', async () => {
    const events = await collect(await f.client().run('a1', { jobId: 'dc-dep', command: 'deploy', ref: 'main' }));
    expect(events.at(-1)).toMatchObject({ type: 'done', result: { outcome: 'ok', ref: 'main' } });
  });

  it('refuses hostile values sent raw over ZeroMQ, and runs nothing', async () => {
    const before = await readFile(marker, 'utf8');
    const d = rawDealer(f.agent!.endpoint, f.serverKeys.publicKey, f.clientKeys);
    try {
      const hostile: [string, Record<string, unknown>][] = [
        ['opt', { service: '-rf', path: 'x' }],
        // The path pattern allows "-" and "." anywhere: only the agent's own rules refuse these.
        ['optpath', { service: 'web', path: '-rf' }],
        ['uplpath', { service: 'web', path: '--upload-pack' }],
        ['upl', { service: 'git', path: '--upload-pack=touch /tmp/pwned' }],
        ['dots', { service: 'web', path: '../../etc/passwd' }],
        ['dots2', { service: 'web', path: 'a/../b' }],
        ['nul', { service: 'web\u0000x', path: 'x' }],
        ['nl', { service: 'web', path: 'x\ny' }],
        ['long', { service: 'web', path: 'a'.repeat(41) }],
        // Past the wire limit (200) but under the frame limit (64 KiB, which drops the connection instead).
        ['huge', { service: 'web', path: 'a'.repeat(60_000) }],
        ['partial', { service: 'web; rm -rf /', path: 'x' }],
        ['unknown', { service: 'web', path: 'x', extra: 'y' }],
        ['proto', JSON.parse('{"__proto__": "x", "service": "web", "path": "x"}') as Record<string, unknown>],
        ['ctor', { constructor: 'x', service: 'web', path: 'x' }],
        ['missing', { service: 'web' }],
        ['notstring', { service: ['web'], path: 'x' }],
      ];
      for (const [i, [name, a]] of hostile.entries()) {
        const id = `raw-${name}`;
        await d.send(JSON.stringify({ v: 2, id, op: 'run', jobId: `raw-job-${i}`, command: 'restart', args: a }));
        const m = await d.next((x) => x.id === id);
        expect(m, name).toMatchObject({ op: 'error' });
        expect(['bad_args', 'bad_request'], `${name}: ${String(m.code)} ${String(m.message)}`).toContain(m.code);
      }
      // Both ref and args, or neither, is refused too.
      await d.send(JSON.stringify({ v: 2, id: 'both', op: 'run', jobId: 'raw-both', command: 'restart', ref: 'main', args: { service: 'web', path: 'x' } }));
      expect(await d.next((x) => x.id === 'both')).toMatchObject({ op: 'error', code: 'bad_args' });
      await d.send(JSON.stringify({ v: 2, id: 'neither', op: 'run', jobId: 'raw-neither', command: 'restart' }));
      expect(await d.next((x) => x.id === 'neither')).toMatchObject({ op: 'error', code: 'bad_args' });
    } finally {
      d.close();
    }
    expect(await readFile(marker, 'utf8')).toBe(before);
  });
});

describe('an agent of the previous release (protocol 1)', () => {
  const client = (ep: { endpoint: string; serverKeys: { publicKey: string }; clientKeys: { publicKey: string; secretKey: string } }) =>
    new ZmqDeviceClient([{ name: 'old', endpoint: ep.endpoint, serverKey: ep.serverKeys.publicKey, heartbeatMs: 200, requestTimeoutMs: 5_000 }], { public: ep.clientKeys.publicKey, secret: ep.clientKeys.secretKey }, silent);

  it('gets no v2 frame: its hello lists no commands, and the caller hears it does not support declared commands', async () => {
    const old = await startV1Agent();
    const c = client(old);
    try {
      await expect(c.runCommand('old', { jobId: 'old-1', command: 'uptime', args: args({}) })).rejects.toMatchObject({ code: 'not_configured', agentCode: 'no_commands', message: expect.stringContaining('does not support declared commands') });
      expect(old.received.filter((r) => r.op === 'run')).toEqual([]);
      expect(old.received.every((r) => r.v === 1)).toBe(true);
    } finally {
      await c.close();
      old.close();
    }
  });

  it('one that claims commands but refuses v2 still gives the clear answer, not bad_request', async () => {
    const old = await startV1Agent({ claimsCommands: true });
    const c = client(old);
    try {
      await expect(c.runCommand('old', { jobId: 'old-2', command: 'uptime', args: args({}) })).rejects.toMatchObject({ agentCode: 'no_commands', message: expect.stringContaining('does not support declared commands') });
    } finally {
      await c.close();
      old.close();
    }
  });
});
