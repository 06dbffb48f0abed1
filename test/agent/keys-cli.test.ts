import { execFile } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isZ85Key } from '../../src/protocol/index.js';
import { runKeys } from '../../src/cli/keys.js';
import { CLI } from '../helpers/cli-child.js';

/** Runs `argv` and resolves with its exit code and output, as spawn options say (uid and gid: another user). */
function run(argv: string[], opts: { uid?: number; gid?: number } = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), opts, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }));
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsline-keys-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('opsline keys', () => {
  it('writes a Z85 key pair readable as YAML with mode 0600, and the public key alone beside it', async () => {
    const out = new PassThrough();
    expect(await runKeys({ name: 'agent1', dir, force: false, out })).toBe(0);
    const key = await readFile(join(dir, 'agent1.key'), 'utf8');
    const pair = parse(key) as { public: string; secret: string };
    expect(isZ85Key(pair.public) && isZ85Key(pair.secret)).toBe(true);
    expect((await stat(join(dir, 'agent1.key'))).mode & 0o777).toBe(0o600);
    expect((await readFile(join(dir, 'agent1.pub'), 'utf8')).trim()).toBe(pair.public);
    expect(String(out.read())).toContain(pair.public);
    expect(String(out.read() ?? '')).not.toContain(pair.secret);
  });

  it('never overwrites a key without --force, and refuses odd names', async () => {
    expect(await runKeys({ name: 'agent1', dir, force: false, out: new PassThrough() })).toBe(1);
    const before = await readFile(join(dir, 'agent1.key'), 'utf8');
    expect(await runKeys({ name: 'agent1', dir, force: true, out: new PassThrough() })).toBe(0);
    expect(await readFile(join(dir, 'agent1.key'), 'utf8')).not.toBe(before);
    expect(await runKeys({ name: '../x', dir, force: false, out: new PassThrough() })).toBe(2);
  });

  it('makes a replaced key file private even when it was not', async () => {
    await writeFile(join(dir, 'open.key'), 'old\n', { mode: 0o644 });
    await chmod(join(dir, 'open.key'), 0o644);
    expect(await runKeys({ name: 'open', dir, force: true, out: new PassThrough() })).toBe(0);
    expect((await stat(join(dir, 'open.key'))).mode & 0o777).toBe(0o600);
  });

  it('refuses a half-present pair without --force and writes nothing (the .pub alone does not get a fresh .key)', async () => {
    await writeFile(join(dir, 'half.pub'), 'old public\n');
    expect(await runKeys({ name: 'half', dir, force: false, out: new PassThrough() })).toBe(1);
    await expect(stat(join(dir, 'half.key'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readFile(join(dir, 'half.pub'), 'utf8')).toBe('old public\n');
    // With --force both are replaced together, and they match.
    expect(await runKeys({ name: 'half', dir, force: true, out: new PassThrough() })).toBe(0);
    const pair = parse(await readFile(join(dir, 'half.key'), 'utf8')) as { public: string };
    expect((await readFile(join(dir, 'half.pub'), 'utf8')).trim()).toBe(pair.public);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp') || f.endsWith('.old'))).toEqual([]);
  });

  // The units run as User=opsline; root writes the key (docs/hosting.md, "Go live"). Like that setup, this
  // needs root: to give the file to a group and to read it back as another user.
  it('--group writes a .key that the group, and nobody else but root, can read', async () => {
    const shared = join(dir, 'etc');
    await mkdir(shared, { mode: 0o755 });
    await chmod(dir, 0o755);
    // daemon (gid 1) stands for the opsline group: a group that exists everywhere, that the test user is not in.
    const r = await run([process.execPath, CLI, 'keys', 'bot', '--dir', shared, '--group', 'daemon']);
    expect(r).toEqual({ code: 0, out: expect.stringContaining('(mode 0640, group daemon)') });
    const st = await stat(join(shared, 'bot.key'));
    expect({ mode: st.mode & 0o777, uid: st.uid, gid: st.gid }).toEqual({ mode: 0o640, uid: 0, gid: 1 });
    const read = [process.execPath, '-e', `process.stdout.write(require('fs').readFileSync(${JSON.stringify(join(shared, 'bot.key'))}, 'utf8'))`];
    expect((await run(read, { uid: 65534, gid: 1 })).out).toMatch(/^secret: "/m);
    expect((await run(read, { uid: 65534, gid: 65534 })).out).toContain('EACCES');
    expect(await run([process.execPath, CLI, 'keys', 'other', '--dir', shared, '--group', 'no-such-group-x'])).toEqual({ code: 2, out: expect.stringContaining('no group named "no-such-group-x"') });
  });

  it('never writes through a symlink, even with --force', async () => {
    const target = join(dir, 'precious.txt');
    await writeFile(target, 'do not touch\n');
    await symlink(target, join(dir, 'linked.key'));
    expect(await runKeys({ name: 'linked', dir, force: true, out: new PassThrough() })).toBe(1);
    expect(await readFile(target, 'utf8')).toBe('do not touch\n');
    expect((await lstat(join(dir, 'linked.key'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dir, 'linked.key'))).toBe(target);
    await expect(stat(join(dir, 'linked.pub'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
