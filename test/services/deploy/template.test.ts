import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../src/config/load.js';
import { bodyDestination, mask, preview, render } from '../../../src/services/deploy/template.js';
import { describeWebhook } from '../../../src/services/deploy/webhook.js';
import { MemorySecrets } from '../../../src/services/secrets/index.js';

const vars = { target: 'site', ref: 'v1/main', user: 'Bob "the builder" \\' };
const secrets = new MemorySecrets({ 'vault:ci/site#token': 'tok-123456', 'vault:ci/prod#token': 'PROD-SECRET-1' });
const fill = (template: string, dest: Parameters<typeof render>[2], v = vars) => render(template, v, dest, secrets, new Set());

/** Caller values that look like references: each must arrive as the same characters, never resolved. */
const HOSTILE = ['{vault:ci/prod#token}', 'vault:ci/prod#token', '${HOME}', '{ref}', '{user}', '{vault:ci/prod#{ref}}'];

describe('masking', () => {
  it('masks a secret as it is, as a JSON string holds it, and percent-encoded', () => {
    const secret = 'pa"ss\\word-123456';
    const text = `raw ${secret} json ${JSON.stringify(secret).slice(1, -1)} url ${encodeURIComponent(secret)}`;
    expect(mask(text, [secret])).toBe('raw ••• json ••• url •••');
  });
});

describe('deploy templates, per destination', () => {
  it('JSON body: caller values are a JSON string\'s content', async () => {
    expect(await fill('{"ref":"{ref}","by":"{user}"}', 'json')).toBe('{"ref":"v1/main","by":"Bob \\"the builder\\" \\\\"}');
    expect(JSON.parse(await fill('{"by":"{user}"}', 'json', { ...vars, user: 'a"}\n,"x":"y' }))).toEqual({ by: 'a"}\n,"x":"y' });
  });

  it('URL and form body: caller values are percent-encoded', async () => {
    expect(await fill('https://ci/x?ref={ref}&t={target}', 'url')).toBe('https://ci/x?ref=v1%2Fmain&t=site');
    expect(await fill('ref={ref}&by={user}', 'form', { ...vars, user: 'a&b=c' })).toBe('ref=v1%2Fmain&by=a%26b%3Dc');
    expect(bodyDestination({ 'Content-Type': 'application/x-www-form-urlencoded' })).toBe('form');
    expect(bodyDestination({ accept: 'text/plain' })).toBe('json');
  });

  it('URL: a value that is only . or .. is refused, as a URL parser reads it as a dot segment however escaped', async () => {
    for (const ref of ['.', '..'])
      await expect(fill('https://ci/x/{ref}/status', 'url', { ...vars, ref })).rejects.toMatchObject({ code: 'bad_input', message: '{ref} cannot be . or .. in a URL' });
    expect(await fill('https://ci/x/{ref}', 'url', { ...vars, ref: '.a' })).toBe('https://ci/x/.a');
  });

  it('header: caller values go in as they are, but a line break is refused', async () => {
    expect(await fill('by {user}', 'header')).toBe('by Bob "the builder" \\');
    for (const user of ['a\r\nX-Evil: 1', 'a\nb', 'a\0b']) {
      await expect(fill('by {user}', 'header', { ...vars, user })).rejects.toMatchObject({ code: 'bad_input', message: '{user} contains a line break, which cannot go in a header' });
    }
  });

  it('leaves unknown braces alone', async () => {
    expect(await fill('{nope} {ref}', 'header')).toBe('{nope} v1/main');
  });
});

describe('secrets come from the configured text only', () => {
  it('resolves Vault references in the template and remembers their values for masking', async () => {
    const found = new Set<string>();
    expect(await render('Bearer {vault:ci/site#token}', vars, 'header', secrets, found)).toBe('Bearer tok-123456');
    expect(await render('vault:ci/site#token', vars, 'header', secrets, found)).toBe('tok-123456');
    expect([...found]).toEqual(['tok-123456']);
    await expect(render('{vault:ci/site#token}', vars, 'header', undefined, new Set())).rejects.toMatchObject({ code: 'not_configured' });
    await expect(render('{vault:ci/other#token}', vars, 'header', secrets, new Set())).rejects.toMatchObject({ message: 'secret vault:ci/other#token is not set' });
  });

  for (const dest of ['json', 'url', 'form', 'header'] as const) {
    it(`never interprets a caller value (${dest})`, async () => {
      for (const user of HOSTILE) {
        const found = new Set<string>();
        const out = await render('{user}|{ref}|{vault:ci/site#token}', { ...vars, user, ref: user }, dest, secrets, found);
        const escaped = dest === 'json' ? JSON.stringify(user).slice(1, -1) : dest === 'header' ? user : encodeURIComponent(user);
        expect(out).toBe(`${escaped}|${escaped}|tok-123456`);
        expect(out).not.toContain('PROD-SECRET-1');
        expect([...found]).toEqual(['tok-123456']);
      }
    });
  }

  it('a resolved secret is not read again either', async () => {
    const tricky = new MemorySecrets({ 'vault:ci/site#token': '{ref}{vault:ci/prod#token}' });
    expect(await render('{vault:ci/site#token}', vars, 'header', tricky, new Set())).toBe('{ref}{vault:ci/prod#token}');
  });

  it('the preview masks configured secrets and shows caller values literally', () => {
    expect(preview('{"t":"{vault:ci/site#token}","by":"{user}"}', { ...vars, user: '{vault:x/y#z}' }, 'json', [])).toBe('{"t":"•••","by":"{vault:x/y#z}"}');
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
