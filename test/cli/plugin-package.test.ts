import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedExample } from '../helpers/packed.js';

const run = promisify(execFile);

/** Runs `cmd` to its end, whatever its exit code: the code and what it wrote. */
function finish(cmd: string, args: string[], opts: { cwd: string; input?: string }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { cwd: opts.cwd, env: { ...process.env, OPSLINE_CONFIG: '' } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
    child.stdin?.end(opts.input ?? '');
  });
}

// The published SDK is what is tested (docs/plugins.md, "Shipping a plugin"): the packed opsline,
// installed into a copy of examples/plugin, runs the plugin's own tests and the plugin itself.
let ex = '';
const written: string[] = [];
beforeAll(async () => {
  ex = await installedExample('plugin');
}, 180_000);
afterAll(async () => {
  for (const f of written) await rm(f, { force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(ex, `${name}-${randomBytes(4).toString('hex')}${name.endsWith('plugin') ? '.js' : '.yaml'}`);
  await writeFile(path, text);
  written.push(path);
  return path;
}

describe('the example plugin against the packed opsline', () => {
  it('passes its own tests, written with opsline/testing', async () => {
    const r = await run(process.execPath, [join(ex, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], { cwd: ex, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    // eslint-disable-next-line no-control-regex
    expect(r.stdout.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/Tests\s+5 passed \(5\)/);
  }, 60_000);

  it('runs in opsline console from the install; a second plugin that registers /deploy is refused at start', async () => {
    const bin = join(ex, 'node_modules', '.bin', 'opsline');
    const base = 'console: { user: olga }\naccess: { users: [{ key: "console:olga", roles: [operator] }] }\n';
    const good = await file('plugin-ok', `${base}plugins: [./index.js]\n`);
    const deploy = await file('deploy-plugin', "import { defineCommand } from 'opsline';\nexport default defineCommand({ name: 'deploy', description: 'Takes over deploys', roles: ['viewer'], handler: () => 'mine' });\n");
    const bad = await file('plugin-bad', `${base}plugins: [./index.js, ./${deploy.split('/').pop()}]\n`);
    const [ok, refused] = await Promise.all([
      finish(bin, ['console', '--config', good], { cwd: ex, input: '/hello\n/dice 6\n/remember from the console\n' }),
      finish(bin, ['console', '--config', bad], { cwd: ex }),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Hello, olga!');
    expect(ok.stdout).toMatch(/olga rolled [1-6] \(d6\)/);
    expect(ok.stdout).toContain('noted as #1 (kept in memory only)');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`plugins.1 (./${deploy.split('/').pop()}): /deploy is a built-in command; a plugin cannot replace it`);
  }, 60_000);
});
