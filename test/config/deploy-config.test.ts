import { describe, expect, it } from 'vitest';
import { ConfigError, buildConfig } from '../../src/config/load.js';

function issuesOf(raw: unknown): readonly string[] {
  try {
    buildConfig(raw, 'test.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('deploy config', () => {
  it('fills defaults for a webhook target', () => {
    const c = buildConfig({ deploy: { targets: [{ name: 'site', kind: 'webhook', url: 'https://ci.example.com/hook' }] } });
    expect(c.deploy?.targets[0]).toMatchObject({ confirm: false, refPattern: '^(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$', timeoutSec: 30 });
  });

  it('names every offending key of bad targets', () => {
    const found = issuesOf({
      agents: [],
      deploy: {
        targets: [
          { name: 'a', kind: 'webhook' },
          { name: 'b', kind: 'command', agent: 'nowhere', command: 'x' },
          { name: 'c', kind: 'webhook', url: 'https://x.example/', refPattern: '([' },
          { name: 'c', kind: 'webhook', url: 'https://x.example/', poll: { url: 'https://x.example/s', doneMatch: '(' } },
          { name: 'd', kind: 'command', agent: 'x', command: 'rm -rf' },
        ],
      },
    }).join('\n');
    expect(found).toMatch(/deploy\.targets\.0\.url.*required for a webhook target/);
    expect(found).toMatch(/deploy\.targets\.1\.agent.*no agent named nowhere/);
    expect(found).toMatch(/deploy\.targets\.2\.refPattern.*not a valid regular expression/);
    expect(found).toMatch(/deploy\.targets\.3\.poll.*not a valid regular expression/);
    expect(found).toMatch(/deploy\.targets\.3\.name.*duplicate target name c/);
    expect(found).toMatch(/deploy\.targets\.4\.command/);
  });
});
