import { afterEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { TestAdapter, users } from '../helpers/test-adapter.js';

const discord = { token: 't', applicationId: '1100000000000000001' };
const cmd = (name: string) => ({ name, description: 'x', kind: 'http' as const, url: 'http://127.0.0.1:9/x', roles: ['viewer' as const] });
const config = (commands: ReturnType<typeof cmd>[]): ConfigInput => ({ access: { users: users({ 'console:v': ['viewer'] }) }, discord, commands });

let bot: TestAdapter | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});

describe("SIGHUP's plan for declared commands", () => {
  it('says to run opsline register discord when the command set changes, and not when it does not', async () => {
    bot = await TestAdapter.create({ config: config([cmd('one')]) });
    const same = bot.app.planReload(buildConfig(config([cmd('one')])));
    expect(same.ok && same.warnings).toEqual([]);
    const changed = bot.app.planReload(buildConfig(config([cmd('two')])));
    expect(changed.ok && changed.warnings).toEqual(['the command set changed: run `opsline register discord` so Discord shows it']);
    // Nothing changes until the plan is committed.
    expect(bot.app.registry.get('one')).toBeDefined();
    expect(bot.app.registry.get('two')).toBeUndefined();
    if (changed.ok) changed.commit();
    expect(bot.app.registry.get('one')).toBeUndefined();
    expect(await bot.text('console:v', '/help')).toContain('/two');
    expect(changed.ok && changed.restartNeeded).toEqual([]);
  });

  it('refuses access.commands naming a declared command the new file removes', async () => {
    bot = await TestAdapter.create({ config: config([cmd('one')]) });
    const next = buildConfig({ ...config([cmd('two')]), access: { users: [], commands: { one: ['admin'] } } });
    const plan = bot.app.planReload(next);
    expect(plan.ok).toBe(false);
    expect(!plan.ok && plan.issues.join('\n')).toContain('one');
    expect(bot.app.registry.get('one')).toBeDefined();
  });
});
