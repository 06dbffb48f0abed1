import { chmod, lstat, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isZ85Key } from '../../src/protocol/index.js';
import { runKeys } from '../../src/cli/keys.js';

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
