import { describe, expect, it } from 'vitest';
import { DEFAULT_REF_PATTERN } from '../../src/words/names.js';
import { TestAdapter, users } from '../helpers/test-adapter.js';

const DEP = 'console:dee';
const OPTIONS_AND_PATHS = ['-rf', '-f', '--force', '../../etc/passwd', '/etc/passwd', 'a/../b', 'main/..', '..'];

async function bot() {
  return TestAdapter.create({
    config: {
      access: { users: users({ [DEP]: ['deployer'] }) },
      deploy: {
        targets: [
          { name: 'quick', kind: 'webhook', url: 'http://127.0.0.1:9/hook' },
          { name: 'dashes', kind: 'webhook', url: 'http://127.0.0.1:9/hook', refPattern: '^-[a-z]+$' },
        ],
      },
    },
  });
}

describe('the default refPattern', () => {
  it('is the one docs/deploy.md shows', () => {
    expect(DEFAULT_REF_PATTERN).toBe('^(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$');
  });

  for (const ref of OPTIONS_AND_PATHS) {
    it(`refuses ${JSON.stringify(ref)} on the bot, queues nothing, audits once`, async () => {
      const t = await bot();
      // `--force` is read as an option by the parser; the rest reach the pattern. Either way: refused.
      const [r] = await t.say(DEP, `/deploy quick ${ref}`);
      expect(r?.code).toMatch(/^(bad_input|usage)$/);
      expect(r?.text).toMatch(ref === '--force' ? /^unknown option --force/ : /is not allowed for quick \(it must match/);
      expect(t.audit.records).toHaveLength(1);
      expect(await t.app.services.deploys!.queue.list()).toHaveLength(0);
      expect(await t.app.services.deploys!.store.holder('quick')).toBeUndefined();
    });
  }

  it('accepts ordinary refs', async () => {
    const re = new RegExp(DEFAULT_REF_PATTERN, 'u');
    for (const ref of ['main', 'v1.2.3', 'release/2026-11', 'feature/a.b_c-d', 'a1b2c3d', 'x'.repeat(100)]) expect(re.test(ref)).toBe(true);
    for (const ref of [...OPTIONS_AND_PATHS, '', 'x'.repeat(101), '.hidden', 'a..b']) expect(re.test(ref)).toBe(false);
  });

  it('a configured pattern is used as given', async () => {
    const t = await bot();
    const d = t.app.services.deploys!;
    expect(d.ref(d.target('dashes'), '-rf')).toBe('-rf');
    expect(() => d.ref(d.target('dashes'), 'main')).toThrow(/is not allowed for dashes/);
  });
});
