import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';

const CLI = join(import.meta.dirname, '../../dist/src/cli.js');

function run(args: string[], input = '', env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, HOME: tmpdir(), ...env }, cwd: tmpdir() });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(input);
  });
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
});

describe('opsline CLI', () => {
  it('answers the demo commands from a pipe and exits 0 at end of input', async () => {
    const r = await run(['console', '--demo'], '/help\n/whoami\n/status\n/note add hello\n/note list\n');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('You may run:');
    expect(r.out).toMatch(/You are \S+\n {2}key: console:\S+\n {2}roles: admin/);
    expect(r.out).toMatch(/Tasks, today: \d+ total, \d+% done/);
    expect(r.out).toContain('note #3 saved');
    expect(r.out).toMatch(/#3 \S+ · just now — hello\n#2 demo/);
  });

  it('burns the sample image on the virtual drive and waits for the thread to finish before exiting', async () => {
    const r = await run(['console', '--demo'], '/images\n/drives\n/burn sample.iso\n/burn list\n');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^demo: sample\.iso {2}4\.\d MB {2}volume "OPSLINE_DEMO"$/m);
    expect(r.out).toMatch(/^ {2}virtual {2}pseudo 600k {2}idle$/m);
    const id = /^burn job (b[a-z0-9]{6}) queued on demo\/virtual \(starting now\)/m.exec(r.out)?.[1];
    expect(id).toBeDefined();
    const step = /^ {3}#1 │ (writing|verifying) [█░]{20} (\d+)% · /;
    const thread = r.out.split('\n').filter((l) => l.startsWith('   #1 │ ') && !step.test(l));
    // No live line in a pipe: the bar is printed as it passes each 10% of a phase, as CI logs do.
    const writing = r.out.split('\n').flatMap((l) => (step.exec(l)?.[1] === 'writing' ? [Number(step.exec(l)?.[2])] : []));
    expect(writing.length, r.out).toBeGreaterThanOrEqual(3);
    expect(writing.map((p) => Math.floor(p / 10))).toEqual([...new Set(writing.map((p) => Math.floor(p / 10)))].sort((a, b) => a - b));
    expect(Math.min(...writing)).toBeGreaterThanOrEqual(10);
    expect(thread).toEqual([
      '   #1 │ queued',
      '   #1 │ writing sample.iso to virtual',
      '   #1 │ verifying…',
      '   #1 │ ejecting…',
      '   #1 │ verified ✔ the disc matches the image',
      expect.stringMatching(/^ {3}#1 │ sha256 [0-9a-f]{64}$/),
      '   #1 │ eject skipped: a pseudo-drive has no tray',
      // The final status, which a pipe used to drop with the live line.
      expect.stringMatching(/^ {3}#1 │ ✔ done in \d+:\d\d$/),
      expect.stringMatching(/^ {3}#1 │ @\S+ burn of sample\.iso on virtual finished ✔ \(verified\)$/),
    ]);
  }, 60_000);

  it('runs the demo without xorriso, saying xorriso is missing wherever it is needed, and leaves no temp dir', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'opsline-nox-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const tmp = mkdtempSync(join(tmpdir(), 'opsline-nox-tmp-'));
    const r = await run(['console', '--demo'], '/whoami\n/burn sample.iso\n/images\n/drives\n/deploy demo\n', { PATH: bin, TMPDIR: tmp });
    expect(r.code).toBe(0);
    expect(r.err).toBe('opsline: burns, images, drives and deploys are off in this demo: xorriso is missing (apt-get install xorriso)\n');
    expect(r.out).toContain('roles: admin');
    const missing = r.out.split('\n').filter((l) => l.includes('xorriso is missing'));
    expect(missing).toHaveLength(4);
    expect(r.out).not.toContain('not configured');
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('exits at the end of piped input after a grant: a grant is not a job to wait for', async () => {
    const child = spawn(process.execPath, [CLI, 'console', '--demo'], { env: { PATH: process.env.PATH, HOME: tmpdir() }, cwd: tmpdir() });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.end('/access grant console:x writer 1h\n');
    // Either it exits, or it says it waits (for the grant's expiry line, an hour away): then it is stopped.
    await until(() => child.exitCode !== null || out.includes('waiting for'), { timeoutMs: 60_000 });
    if (child.exitCode === null) child.kill('SIGKILL');
    expect(await closed, out).toBe(0);
    expect(out).toMatch(/^#1 \S+ grants console:x the writer role for 1h$/m);
    expect(out).toMatch(/^grant #1: console:x has the writer role until \S+Z; \/access revoke 1 ends it/m);
    expect(out).not.toContain('waiting for');
  }, 90_000);

  it('survives bad input without ending the REPL', async () => {
    const lines = ['', '   ', '/nope', '/note add "x', `/note add ${'z'.repeat(10_240)}`, '/note add \u0001', 'plain text', '/whoami'];
    const r = await run(['console', '--demo'], `${lines.join('\n')}\n`);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').slice(0, 8)).toEqual([
      'type a command, for example /help',
      'type a command, for example /help',
      'unknown command /nope; did you mean /note? try /help',
      'note #3 saved (storage not configured: notes are kept in memory until restart)',
      'input too long: 10244 characters, at most 4000',
      'input contains control characters',
      'commands start with "/", for example /help',
      expect.stringMatching(/^You are \S+$/),
    ]);
    expect(r.out.trimEnd()).toMatch(/roles: admin \(config\)$/);
  });

  it('exits 2 listing every offending key of a bad config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsline-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'http: { port: -1 }\nslack: { signingSecret: "${NOPE_SECRET}" }\n');
    const r = await run(['--config', file, 'console'], '');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`invalid config ${file}:`);
    expect(r.err).toContain('slack.signingSecret: environment variable NOPE_SECRET is not set');
    expect(r.err).toMatch(/http\.port: /);
    expect(r.err).toMatch(/slack\.botToken: /);
  });

  it('uses OPSLINE_CONFIG and the console user from the config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsline-cli-'));
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'console: { user: carol }\naccess: { users: [ { key: "console:carol", roles: [viewer] } ] }\n');
    const r = await run(['console'], '/whoami\n/note add x\n', { OPSLINE_CONFIG: file });
    expect(r.code).toBe(0);
    expect(r.out).toContain('You are carol\n  key: console:carol\n  roles: viewer (config)');
    expect(r.out).toContain('/note add needs the writer role; your key is console:carol');
  });

  it('prints its version, shows --config in a subcommand\'s help, and helps with typos and image names', async () => {
    const v = await run(['--version']);
    expect(v.out).toMatch(/^\d+\.\d+\.\d+\n$/);
    const help = await run(['console', '--help']);
    expect(help.out).toContain('-c, --config <file>');
    expect(help.out).toContain('--log-level <level>');
    const r = await run(['console', '--demo'], '/stauts\n/burn sample\n');
    expect(r.out).toContain('unknown command /stauts; did you mean /status? try /help');
    expect(r.out).toContain('image must be an image name ending in .iso');
  }, 90_000);

  it('refuses to run the console without a config unless --demo', async () => {
    const r = await run(['console'], '');
    expect(r.code).toBe(2);
    expect(r.err).toContain('no config found');
  });
});
