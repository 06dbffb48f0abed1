import { cp, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmuxPane, type TmuxPane } from '../helpers/tmux.js';

const repo = join(import.meta.dirname, '..', '..');
const panes: TmuxPane[] = [];
let dir = '';

const PROMPT = /^opsline>$/;
const BUILDING = /^building opsline \(tsc; the first run takes about a minute\)…$/;

/** `npm run demo` in the checkout copy, in a real terminal, until its prompt; Ctrl-D, and its screen. */
async function demo(): Promise<string[]> {
  const pane = await tmuxPane(['npm', 'run', 'demo'], { cwd: dir, width: 100, height: 40 });
  panes.push(pane);
  const lines = await pane.waitFor('the demo prompt', (l) => l.some((x) => PROMPT.test(x)), 280_000);
  await pane.keys(['C-d']);
  expect(await pane.exited()).toBe(0);
  return lines;
}

// README: `npm ci && npm run demo`. A fresh checkout has no dist/: the first run builds it and says so
// before anything else; the next one starts without building. The checkout is a copy (its own dist/),
// with the repository's node_modules, so this test never rebuilds the dist/ other tests run.
describe('npm run demo', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsline-demo-build-'));
    for (const part of ['src', 'commands', 'bench', 'test', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json'])
      await cp(join(repo, part), join(dir, part), { recursive: true });
    await symlink(join(repo, 'node_modules'), join(dir, 'node_modules'));
  });
  afterAll(async () => {
    for (const p of panes) await p.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('says it is building on a fresh checkout, builds once, and starts at once the next time', async () => {
    const first = await demo();
    const building = first.findIndex((l) => BUILDING.test(l));
    expect(building, first.join('\n')).toBeGreaterThanOrEqual(0);
    expect(building).toBeLessThan(first.findIndex((l) => PROMPT.test(l)));
    expect(first.some((l) => /^built in \d+ s$/.test(l))).toBe(true);
    const built = (await stat(join(dir, 'dist', 'src', 'cli.js'))).mtimeMs;

    const second = await demo();
    expect(second.filter((l) => BUILDING.test(l) || /^built in /.test(l))).toEqual([]);
    expect(second.filter((l) => PROMPT.test(l))).toHaveLength(1);
    // Not rebuilt in silence either: the build the first run made is the one the second started.
    expect((await stat(join(dir, 'dist', 'src', 'cli.js'))).mtimeMs).toBe(built);
  }, 600_000);
});
