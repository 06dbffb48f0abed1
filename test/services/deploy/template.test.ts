import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../src/config/load.js';
import { fill, jsonEscape, mask, resolveSecrets } from '../../../src/services/deploy/template.js';
import { describeWebhook } from '../../../src/services/deploy/webhook.js';
import { MemorySecrets } from '../../../src/services/secrets/index.js';

const vars = { target: 'site', ref: 'v1/main', user: 'Bob "the builder" \\' };

describe('deploy templates', () => {
  it('fills placeholders escaped for where they land', () => {
    expect(fill('{"ref":"{ref}","by":"{user}"}', vars, jsonEscape)).toBe('{"ref":"v1/main","by":"Bob \\"the builder\\" \\\\"}');
    expect(JSON.parse(fill('{"by":"{user}"}', vars, jsonEscape))).toEqual({ by: vars.user });
    expect(fill('https://ci/x?ref={ref}&t={target}', vars, encodeURIComponent)).toBe('https://ci/x?ref=v1%2Fmain&t=site');
    expect(fill('{nope} {ref}', vars)).toBe('{nope} v1/main');
  });

  it('resolves Vault references and remembers their values for masking', async () => {
    const secrets = new MemorySecrets({ 'vault:ci/site#token': 'tok-123456' });
    const found = new Set<string>();
    expect(await resolveSecrets('Bearer {vault:ci/site#token}', secrets, found)).toBe('Bearer tok-123456');
    expect(await resolveSecrets('vault:ci/site#token', secrets, found)).toBe('tok-123456');
    expect([...found]).toEqual(['tok-123456']);
    await expect(resolveSecrets('{vault:ci/site#token}', undefined, new Set())).rejects.toMatchObject({ code: 'not_configured' });
    await expect(resolveSecrets('{vault:ci/other#token}', secrets, new Set())).rejects.toMatchObject({ message: 'secret vault:ci/other#token is not set' });
  });

  it('masks ${ENV} values and Vault references in what the thread shows', () => {
    const [t] = buildConfig({
      deploy: {
        targets: [
          { name: 'site', kind: 'webhook', url: 'https://ci.example.com/hook?key=envsecret99&ref={ref}', headers: { Authorization: 'Bearer envsecret99', 'Content-Type': 'application/json' }, body: '{"ref":"{ref}","token":"{vault:ci/site#token}","k":"envsecret99"}' },
        ],
      },
    }).deploy!.targets;
    const shown = describeWebhook(t!, vars, ['envsecret99']);
    expect(shown).toBe('POST https://ci.example.com/hook?key=•••&ref=v1%2Fmain (headers Authorization: •••, Content-Type: application/json) body {"ref":"v1/main","token":"•••","k":"•••"}');
    expect(mask('a envsecret99 b', ['envsecret99', 'ab'])).toBe('a ••• b');
  });
});
