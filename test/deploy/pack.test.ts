import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packedOpsline } from '../helpers/packed.js';

const repo = join(import.meta.dirname, '..', '..');
const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
const dir = mkdtempSync(join(tmpdir(), 'opsline-pack-'));
const prefix = join(dir, 'prefix');
const opsline = join(prefix, 'bin', 'opsline');

function run(cmd: string, args: string[], opts: { cwd?: string; input?: string } = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? dir, input: opts.input, encoding: 'utf8', timeout: 240_000, env: { ...process.env, OPSLINE_CONFIG: '' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

// `npm pack` (once per build, shared with the plugin package test: test/helpers/packed.ts), then
// `npm install -g` of the tarball into a temporary prefix: opsline without the repository.
let tarball = '';
describe('the packed package', () => {
  beforeAll(async () => {
    tarball = await packedOpsline();
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('packs dist, docs and the systemd units, nothing from tests or benchmarks', () => {
    const listed = run('tar', ['-tzf', tarball]);
    expect(listed.code, listed.out).toBe(0);
    const files = listed.out.trim().split('\n').map((f) => f.replace(/^package\//, ''));
    const units = ['deploy/systemd/opsline-agent.service', 'deploy/systemd/opsline-bot.service', 'deploy/systemd/opsline-worker.service'];
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/src/cli.js', 'dist/commands/index.js', 'docs/configuration.md', ...units]));
    expect(files.filter((f) => /^(test|bench|dist\/bench|dist\/test|src|deploy\/keys|examples)\//.test(f))).toEqual([]);
    // The public SDK (docs/plugins.md) with its declarations.
    expect(files).toEqual(expect.arrayContaining(['dist/src/sdk/index.js', 'dist/src/sdk/index.d.ts', 'dist/src/sdk/testing.js', 'dist/src/sdk/testing.d.ts']));
  });

  it('installs with npm install -g and runs: --version, console --demo from a pipe, doctor', () => {
    const installed = run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball]);
    expect(installed.code, installed.out).toBe(0);

    const v = run(opsline, ['--version']);
    expect(v).toEqual({ code: 0, out: `${version}\n` });

    // From another directory, with no config: the demo needs nothing but the package (and xorriso for the burn).
    const demo = run(opsline, ['console', '--demo'], { input: '/help\n/status\n/burn sample.iso\n' });
    expect(demo.code, demo.out).toBe(0);
    expect(demo.out).toContain('You may run:');
    expect(demo.out).toMatch(/burn of sample\.iso on virtual finished ✔ \(verified\)/);

    const config = join(dir, 'doctor.yaml');
    writeFileSync(config, 'redis: { url: "redis://127.0.0.1:6379" }\n');
    const doctor = run(opsline, ['--config', config, 'doctor']);
    expect(doctor.code, doctor.out).toBe(0);
    expect(doctor.out).toMatch(/redis/i);
  }, 300_000);

  // docs/hosting.md, "Go live": the units come with the package and name /usr/local, npm's default global
  // prefix; with another prefix the same sed points them at $(npm prefix -g). Here the prefix is the
  // temporary one, so systemd-analyze checks ExecStart against the opsline this install really put there.
  it('ships systemd units that pass systemd-analyze verify against the installed opsline', () => {
    const shipped = join(prefix, 'lib', 'node_modules', 'opsline', 'deploy', 'systemd');
    const units = join(dir, 'units');
    mkdirSync(units);
    const copies = readdirSync(shipped).map((name) => {
      const path = join(units, name);
      writeFileSync(path, readFileSync(join(shipped, name), 'utf8').replaceAll('/usr/local/', `${prefix}/`));
      return path;
    });
    expect(copies.map((c) => c.split('/').pop()).sort()).toEqual(['opsline-agent.service', 'opsline-bot.service', 'opsline-worker.service']);
    for (const c of copies) expect(readFileSync(c, 'utf8')).toMatch(new RegExp(`^ExecStart=${opsline} (agent|start|worker)$`, 'm'));
    const r = spawnSync('systemd-analyze', ['verify', ...copies], { encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });
});
