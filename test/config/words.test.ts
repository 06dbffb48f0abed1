import { describe, expect, it } from 'vitest';
import { ConfigError, buildConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';

const post = { platform: 'console', channel: 'ops' };

const build = (config: Record<string, unknown>) => buildConfig(config as ConfigInput, 'test');

/** The issues a config is refused with. */
function refused(config: Record<string, unknown>): readonly string[] {
  try {
    build(config);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  return [];
}

describe('config durations use the one grammar (src/words/duration.ts)', () => {
  it('reads every: 90s as before, and every form the commands take', () => {
    const c = build({ schedules: [{ name: 'a', every: '90s', command: '/help', post }, { name: 'b', every: '1d', command: '/help', post }, { name: 'c', every: '2h', command: '/help', post }] });
    expect(c.schedules?.map((s) => s.every)).toEqual([90_000, 86_400_000, 7_200_000]);
  });

  it('keeps a schedule to at least a second, and says so in the grammar', () => {
    expect(refused({ schedules: [{ name: 'a', every: '500ms', command: '/help', post }] })).toEqual(['schedules.0.every: a duration of at least 1s']);
    expect(refused({ schedules: [{ name: 'a', every: '15 minutes', command: '/help', post }] })).toEqual([
      'schedules.0.every: a duration: a whole number and a unit (ms, s, m, h or d), such as 90s, 30m, 2h or 1d',
    ]);
  });

  it('reads access durations and their defaults the same way', () => {
    const c = build({ access: { approvalTtl: '1d', grants: { maxDuration: '90m' } } });
    expect([c.access.approvalTtl, c.access.grants.maxDuration, c.access.slackGroupsTtl]).toEqual([86_400_000, 5_400_000, 60_000]);
  });
});
