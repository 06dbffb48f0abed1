import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The layer rule of docs/architecture.md ("Layers"), run as `npm run lint` runs it: dependency-cruiser's
// CLI with the repository's .dependency-cruiser.cjs, here on small trees written for each case.
const ROOT = resolve(import.meta.dirname, '../..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

// The same config with type-only imports left out, as a plain transpile would: the type-only cases
// pass under it, so what makes them fail under the real config is that type-only imports count.
const TYPES_ERASED = `const base = require(${JSON.stringify(CONFIG)});
module.exports = { ...base, options: { ...base.options, tsPreCompilationDeps: false } };
`;

const TSCONFIG = JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src', 'commands'] });

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsline-layers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Cruise {
  readonly code: number;
  readonly out: string;
}

/** Runs the rule on `cwd` (default: a tree of `files`); dependency-cruiser exits with the number of errors. */
function cruise(cwd: string, config = CONFIG): Promise<Cruise> {
  return new Promise((done) => {
    execFile(process.execPath, [DEPCRUISE, 'src', 'commands', '--config', config, '--output-type', 'err'], { cwd, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, out: `${stdout}${stderr}` });
    });
  });
}

let n = 0;
/** A tree of the given files (plus the floors' folders the rule names) with its own tsconfig. */
async function tree(files: Record<string, string>): Promise<string> {
  const at = join(dir, `case-${++n}`);
  await mkdir(join(at, 'commands'), { recursive: true });
  await writeFile(join(at, 'commands/index.ts'), 'export const commands = [];\n');
  await writeFile(join(at, 'tsconfig.json'), TSCONFIG);
  await writeFile(join(at, 'types-erased.cjs'), TYPES_ERASED);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(at, path)), { recursive: true });
    await writeFile(join(at, path), text);
  }
  return at;
}

// Each case starts a dependency-cruiser of its own, which takes seconds on a loaded machine.
describe('the layer rule', { timeout: 120_000 }, () => {
  it('passes the real tree: no upward import and no cycle, type-only imports included', async () => {
    const r = await cruise(ROOT);
    expect(r.out).toContain('no dependency violations found');
    expect(r.code).toBe(0);
  });

  it('fails an upward import (core reaching into services)', async () => {
    const at = await tree({
      'src/services/bag.ts': 'export const bag = { notes: [] };\n',
      'src/core/dispatcher.ts': "import { bag } from '../services/bag.js';\nexport const d = bag;\n",
    });
    const r = await cruise(at);
    expect(r.code).toBeGreaterThan(0);
    expect(r.out).toMatch(/no-upward:core.*src\/core\/dispatcher\.ts → src\/services\/bag\.ts/);
  });

  it('fails a type-only upward import, because type-only imports count', async () => {
    const at = await tree({
      'src/services/types.ts': 'export interface Services { readonly notes: string[] }\n',
      'src/core/define-command.ts': "import type { Services } from '../services/types.js';\nexport type Ctx = { services: Services };\n",
    });
    const r = await cruise(at);
    expect(r.code).toBeGreaterThan(0);
    expect(r.out).toMatch(/no-upward:core.*src\/core\/define-command\.ts → src\/services\/types\.ts/);
    // With type-only imports erased, as a compiler emits them, the same tree passes.
    expect(await cruise(at, join(at, 'types-erased.cjs'))).toMatchObject({ code: 0 });
  });

  it('fails a type-only cycle, because type-only imports count', async () => {
    const at = await tree({
      'src/core/registry.ts': "import type { CommandDef } from './define-command.js';\nexport interface Registry { get(n: string): CommandDef }\n",
      'src/core/define-command.ts': "import type { Registry } from './registry.js';\nexport interface CommandDef { registry: Registry }\n",
    });
    const r = await cruise(at);
    expect(r.code).toBeGreaterThan(0);
    expect(r.out).toContain('no-circular');
    expect(await cruise(at, join(at, 'types-erased.cjs'))).toMatchObject({ code: 0 });
  });

  it('fails an import between siblings on one floor that the order does not allow (relay → agent)', async () => {
    const at = await tree({
      'src/agent/ledger.ts': 'export const ledger = 1;\n',
      'src/relay/entry.ts': "import { ledger } from '../agent/ledger.js';\nexport const e = ledger;\n",
    });
    const r = await cruise(at);
    expect(r.code).toBeGreaterThan(0);
    expect(r.out).toMatch(/no-sideways.*src\/relay\/entry\.ts → src\/agent\/ledger\.ts/);
  });

  it('fails a folder that stands on no floor, until it is placed in the order', async () => {
    const at = await tree({
      'src/core/clock.ts': 'export const now = () => 1;\n',
      'src/newthing/use.ts': "import { now } from '../core/clock.js';\nexport const t = now();\n",
    });
    const r = await cruise(at);
    expect(r.code).toBeGreaterThan(0);
    expect(r.out).toContain('on-a-floor');
  });

  it('lets the composition root load demo code only by a dynamic import', async () => {
    const demo = { 'src/demo/agent.ts': 'export const startDemoAgent = () => 1;\n' };
    const lazy = await tree({ ...demo, 'src/app/main.ts': "export const start = async () => (await import('../demo/agent.js')).startDemoAgent();\n" });
    expect(await cruise(lazy)).toMatchObject({ code: 0 });
    const eager = await tree({ ...demo, 'src/app/main.ts': "import { startDemoAgent } from '../demo/agent.js';\nexport const start = startDemoAgent;\n" });
    const r = await cruise(eager);
    expect(r.code).toBeGreaterThan(0);
    expect(r.out).toContain('demo-only-lazily');
  });
});
