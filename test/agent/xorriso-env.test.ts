import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BASE_PATH, onPath } from '../../src/agent/child-env.js';
import type { JobEvent } from '../../src/services/devices/index.js';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { makeIso } from '../helpers/iso.js';

let f: AgentFixture;

beforeAll(async () => {
  // Something only the agent's own environment holds, as its keys or the config's `${ENV}` secrets would be.
  process.env.OPSLINE_SECRET_MARKER = 'must-not-leave-the-agent';
  f = await agentFixture(['d1']);
  await makeIso(f.imagesDir, 'env.iso');
  // An xorriso that tells its environment: a burn prints one line per variable and succeeds; an eject fails
  // with the variables' names in its FAILURE line, which the eject's answer quotes.
  const fake = join(f.root, 'xorriso-env.mjs');
  await writeFile(
    fake,
    `#!${process.execPath}
const env = Object.entries(process.env).sort(([a], [b]) => a.localeCompare(b));
if (process.argv.includes('-eject')) {
  console.error('xorriso : FAILURE : environment ' + env.map(([k]) => k).join(','));
  process.exit(1);
}
for (const [k, v] of env) console.error('env ' + k + '=' + v);
`,
  );
  await chmod(fake, 0o755);
  await f.start({ xorriso: fake, drives: [...f.drives, { name: 'dvd', device: join(f.root, 'no-such-sr0') }] });
});
afterAll(async () => {
  delete process.env.OPSLINE_SECRET_MARKER;
  await f.cleanup();
});

it('runs xorriso for a burn with PATH and LC_ALL=C only, nothing of the agent\'s environment', async () => {
  const s = await f.client().burn('a1', { jobId: 'env-burn', image: 'env.iso', drive: 'd1', verify: false });
  const events: JobEvent[] = [];
  for await (const e of s) events.push(e);
  expect(await s.result).toMatchObject({ outcome: 'ok' });
  const env = events.flatMap((e) => (e.type === 'log' && e.line.startsWith('env ') ? [e.line] : []));
  expect(env).toEqual(['env LC_ALL=C', `env PATH=${BASE_PATH}`]);
});

it('runs xorriso for an eject with the same environment', async () => {
  expect(await f.client().eject('a1', 'dvd')).toMatchObject({ ejected: false, message: 'dvd did not eject: xorriso : FAILURE : environment LC_ALL,PATH' });
});

it('finds xorriso on the agent\'s own PATH, since the child\'s PATH no longer does', async () => {
  const dir = join(f.root, 'bin');
  await mkdir(dir);
  await writeFile(join(dir, 'xorriso'), '');
  expect(onPath('xorriso', `${dir}:relative/dir:/usr/bin`)).toBe('/usr/bin/xorriso');
  await chmod(join(dir, 'xorriso'), 0o755);
  expect(onPath('xorriso', `relative/dir:${dir}:/usr/bin`)).toBe(join(dir, 'xorriso'));
  expect(onPath('xorriso', '/nowhere')).toBe('xorriso');
  expect(onPath('/opt/x/xorriso', dir)).toBe('/opt/x/xorriso');
});
