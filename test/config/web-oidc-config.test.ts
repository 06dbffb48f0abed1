import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.js';

const oidc = (extra: Record<string, unknown>) => ({ web: { oidc: { issuer: 'https://sso.example.com/realms/ops', clientId: 'opsline', clientSecret: 's3cret', ...extra } } });

describe('web.oidc and web.trustProxy in the config', () => {
  it('takes a provider with defaults: name, scopes [openid], claim sub', () => {
    const c = buildConfig(oidc({}));
    expect(c.web?.oidc).toMatchObject({ name: 'OpenID Connect', scopes: ['openid'], claim: 'sub' });
    expect(buildConfig(oidc({ issuer: 'http://127.0.0.1:4000' })).web?.oidc?.issuer).toBe('http://127.0.0.1:4000');
    expect(buildConfig({ web: { trustProxy: 2 } }).web?.trustProxy).toBe(2);
  });

  it.each([
    ['plain http to another host', { issuer: 'http://sso.example.com' }, 'web.oidc.issuer'],
    ['scopes without openid', { scopes: ['email'] }, 'web.oidc.scopes'],
    ['a claim name with a space', { claim: 'e mail' }, 'web.oidc.claim'],
    ['a mapping to something that is not a principal key', { principals: { 'ops@example.com': 'root' } }, 'web.oidc.principals'],
    ['a redirect that is not our callback', { redirectUri: 'https://evil.example/cb' }, 'web.oidc.redirectUri'],
    ['an unknown key', { clientSecretFile: '/x' }, 'web.oidc'],
  ])('refuses %s', (_what, extra, where) => {
    expect(() => buildConfig(oidc(extra))).toThrow(where);
  });

  it('refuses a trustProxy of 0 or a string', () => {
    expect(() => buildConfig({ web: { trustProxy: 0 } })).toThrow('web.trustProxy');
    expect(() => buildConfig({ web: { trustProxy: 'yes' } })).toThrow('web.trustProxy');
  });
});
