import { describe, expect, it } from 'vitest';
import { MemorySecrets } from '../../src/services/secrets/index.js';
import { hookedBot } from '../helpers/hooked-bot.js';
import { TestAdapter, texts, users } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

const KEY = 'discord:80351110224678912';
const PROD = 'prod-token-never-sent';

const t = hookedBot((hooks) =>
  TestAdapter.create({
    config: {
      access: { users: users({ [KEY]: ['deployer'] }) },
      deploy: {
        targets: [
          {
            name: 'site',
            kind: 'webhook',
            method: 'POST',
            url: hooks.url('/ok?by={user}'),
            headers: { Authorization: 'Bearer {vault:ci/site#token}', 'X-Deploy-By': '{user}' },
            body: '{"ref":"{ref}","by":"{user}"}',
          },
        ],
      },
    },
    secrets: new MemorySecrets({ 'vault:ci/site#token': 'site-token-1', 'vault:ci/prod#token': PROD }),
  }),
);

/** Deploys as a caller with this display name; resolves with the request the CI double got. */
async function deployAs(name: string) {
  const sent = t.hooks.requests.length;
  const n = t.bot.transport.messages.length;
  expect((await t.bot.sayAs({ key: KEY, name }, '/deploy site main'))[0]?.text).toMatch(/queued/);
  await until(() => t.bot.transport.messages.slice(n).some((m) => m.kind === 'reply' && /deploy of site main (finished|failed)/.test(m.text)));
  return { request: t.hooks.requests.slice(sent)[0], thread: texts(t.bot.transport.messages.slice(n)) };
}

describe('a display name that looks like a secret reference', () => {
  for (const name of ['{vault:ci/prod#token}', 'vault:ci/prod#token', '${HOME}', '${CI_TOKEN}']) {
    it(`${name} reaches the webhook as literal text`, async () => {
      const { request } = await deployAs(name);
      expect(request).toBeDefined();
      expect(JSON.parse(request!.body)).toEqual({ ref: 'main', by: name });
      expect(request!.headers['x-deploy-by']).toBe(name);
      expect(decodeURIComponent(request!.path.split('by=')[1]!)).toBe(name);
      expect(request!.headers.authorization).toBe('Bearer site-token-1');
      expect(JSON.stringify(request)).not.toContain(PROD);
      expect(JSON.stringify(request)).not.toContain(process.env.HOME ?? '/nonexistent-home');
    });
  }

  it('a display name with a line break is refused for a header, and nothing is sent', async () => {
    const { request, thread } = await deployAs('eve\r\nX-Injected: 1');
    expect(request).toBeUndefined();
    expect(thread.at(-1)).toContain('failed: {user} contains a line break, which cannot go in a header');
  });
});
