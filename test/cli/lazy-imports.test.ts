import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli-child.js';

const run = promisify(execFile);

/** The chat and queue libraries only `opsline start`, `worker` and friends need. */
const HEAVY = /[\\/]node_modules[\\/](discord\.js|@slack[\\/]bolt|bullmq)[\\/]/;

// Loaded with --import before the CLI: on exit it writes every CommonJS module path in require's
// cache to $LOADED_OUT. discord.js, Bolt and BullMQ are CommonJS, so they land there even when
// imported from ESM.
const PRELOAD = `import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => writeFileSync(process.env.LOADED_OUT, JSON.stringify(Object.keys(cache))));
`;

let dir = '';
let preload = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsline-lazy-'));
  preload = join(dir, 'preload.mjs');
  await writeFile(preload, PRELOAD);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the built `opsline <args>` as users do; resolves with its exit code and the CommonJS modules it loaded. */
async function opsline(args: string[], name: string): Promise<{ code: number; stderr: string; loaded: string[] }> {
  const out = join(dir, `${name}.json`);
  const env = { ...process.env, LOADED_OUT: out };
  // execFile rejects on a non-zero exit, with code and stderr on the error.
  const { code, stderr } = await run(process.execPath, ['--import', preload, CLI, ...args], { env, cwd: dir }).then(
    (r) => ({ code: 0, stderr: r.stderr }),
    (err: { code?: number; stderr?: string }) => ({ code: err.code ?? -1, stderr: err.stderr ?? '' }),
  );
  const loaded = JSON.parse(await readFile(out, 'utf8')) as string[];
  return { code, stderr, loaded };
}

describe('opsline loads each subcommand when it runs', () => {
  it('--version loads neither the chat libraries nor BullMQ', async () => {
    const r = await opsline(['--version'], 'version');
    expect(r.code).toBe(0);
    // commander is CommonJS too: proves the preload saw the CLI's modules at all.
    expect(r.loaded.some((p) => p.includes(join('node_modules', 'commander')))).toBe(true);
    expect(r.loaded.filter((p) => HEAVY.test(p))).toEqual([]);
  });

  it('keys writes a pair with only ZeroMQ loaded, not the chat libraries or BullMQ', async () => {
    const r = await opsline(['keys', 'lazy', '--dir', dir], 'keys');
    expect(r.code).toBe(0);
    expect((await readFile(join(dir, 'lazy.pub'), 'utf8')).trim()).toHaveLength(40);
    expect(r.loaded.some((p) => p.includes(join('node_modules', 'zeromq')))).toBe(true);
    expect(r.loaded.filter((p) => HEAVY.test(p))).toEqual([]);
  });

  it('agent with an invalid config exits 2 with the ConfigError message, loading none of them', async () => {
    const config = join(dir, 'agent.yaml');
    await writeFile(config, 'agent: { bind: 1 }\n');
    const r = await opsline(['--config', config, 'agent'], 'agent');
    // Exit code 2 comes from cli.ts's `instanceof ConfigError`: the lazily imported agent module throws the same class.
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`invalid config ${config}:`);
    expect(r.loaded.filter((p) => HEAVY.test(p))).toEqual([]);
  });
});
