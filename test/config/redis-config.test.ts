import { describe, expect, it } from 'vitest';
import { ConfigError, buildConfig } from '../../src/config/load.js';

function problems(raw: unknown): string[] {
  try {
    buildConfig(raw, 'test.yaml');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
}

describe('config: redis with Sentinel', () => {
  it('takes sentinels and the master name instead of a url', () => {
    const c = buildConfig({ redis: { sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26379 }], name: 'opsline', replicaWaitMs: 300 } });
    expect(c.redis).toMatchObject({ sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26379 }], name: 'opsline', replicaWaitMs: 300, prefix: 'opsline' });
  });

  it('refuses a redis section with neither, sentinels without a name, and a name without sentinels', () => {
    expect(problems({ redis: { prefix: 'x' } })).toEqual([expect.stringMatching(/^redis: needs url, or sentinels and name/)]);
    expect(problems({ redis: { sentinels: [{ host: 'a', port: 26379 }] } })).toEqual([expect.stringMatching(/^redis\.name: required with redis\.sentinels/)]);
    expect(problems({ redis: { url: 'redis://127.0.0.1:6379', name: 'opsline' } })).toEqual([expect.stringMatching(/^redis\.sentinels: required with redis\.name/)]);
    expect(problems({ redis: { sentinels: [], name: 'x' } }).join('\n')).toMatch(/redis\.sentinels/);
  });
});
