import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { deployProcessor } from '../../src/jobs/deploy.js';
import { MemorySecrets } from '../../src/services/secrets/index.js';
import { hookedBot } from '../helpers/hooked-bot.js';
import { TestAdapter, texts, users } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

const DEP = 'console:dee';
const TOKEN = 's3cr3t-ci-token-value';

const t = hookedBot((hooks) => {
  const target = (name: string, path: string, extra: Record<string, unknown> = {}) => ({
    name,
    kind: 'webhook' as const,
    method: 'POST' as const,
    url: hooks.url(`${path}?target={target}`),
    headers: { Authorization: 'Bearer {vault:ci/site#token}', 'X-Deploy-Ref': '{ref}' },
    body: '{"ref":"{ref}","target":"{target}","user":"{user}","token":"{vault:ci/site#token}"}',
    ...extra,
  });
  return TestAdapter.create({
    config: {
      access: { users: users({ [DEP]: ['deployer'] }) },
      deploy: {
        targets: [
          target('site', '/ok'),
          target('broken', '/fail'),
          target('slow', '/hang', { timeoutSec: 1 }),
          target('polled', '/ok', { poll: { url: hooks.url('/status/{ref}'), intervalSec: 0.1, timeoutSec: 10 } }),
        ],
      },
    },
    secrets: new MemorySecrets({ 'vault:ci/site#token': TOKEN }),
  });
});

const mark = () => t.bot.transport.messages.length;
const since = (n: number) => t.bot.transport.messages.slice(n);
const done = (n: number) => () => since(n).some((m) => m.kind === 'reply' && m.text.startsWith('@dee '));

describe('/deploy of a webhook target', () => {
  it('sends method, headers, body and the Vault secret; shows what runs with the secret masked', async () => {
    const n = mark();
    expect(await t.bot.text(DEP, '/deploy site v1.4.0')).toMatch(/^deploy job d[a-z0-9]{6} of site at v1\.4\.0 queued/);
    await until(done(n));
    const req = t.hooks.requests.at(-1)!;
    expect(req).toMatchObject({ method: 'POST', path: '/ok?target=site' });
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers['x-deploy-ref']).toBe('v1.4.0');
    expect(JSON.parse(req.body)).toEqual({ ref: 'v1.4.0', target: 'site', user: 'dee', token: TOKEN });
    const thread = since(n);
    expect(thread.every((m) => !m.text.includes(TOKEN))).toBe(true);
    expect(texts(thread)).toContainEqual(expect.stringMatching(/^running: POST http:\/\/127\.0\.0\.1:\d+\/ok\?target=site \(headers Authorization: •••, X-Deploy-Ref: •••\) body .*"token":"•••"/));
    expect(texts(thread).at(-1)).toMatch(/^@dee deploy of site v1\.4\.0 finished ✔ \(HTTP 202, 0:0\d\)$/);
    expect(thread.filter((m) => m.kind === 'edit').at(-1)?.text).toMatch(/^✔ HTTP 202 · 0:0\d$/);
    expect(texts(thread)).toContainEqual(expect.stringContaining('{"queued":true}'));
  });

  it('never calls a webhook twice for one job, even when a worker runs the job again', async () => {
    const n = mark();
    const id = /job (d[a-z0-9]{6})/.exec(await t.bot.text(DEP, '/deploy site once'))![1]!;
    await until(done(n));
    const sent = t.hooks.requests.length;
    const job = await t.bot.app.services.deploys!.job(id);
    const processor = deployProcessor({ service: t.bot.app.services.deploys!, masked: [], transports: t.bot.app.transports, log: pino({ level: 'silent' }) });
    await expect(processor(id, job.data, () => undefined)).rejects.toThrow(/it was not sent again/);
    expect(t.hooks.requests.length).toBe(sent);
  });

  it('reports a failure status, releases the lock and records the last deploy', async () => {
    const n = mark();
    await t.bot.text(DEP, '/deploy broken main');
    await until(done(n));
    expect(texts(since(n)).at(-1)).toMatch(/^@dee deploy of broken main failed: the webhook answered HTTP 500 \(HTTP 500, /);
    expect(texts(since(n))).toContainEqual(expect.stringContaining('build exploded'));
    const list = await t.bot.text(DEP, '/deploy list');
    expect(list).toMatch(/^broken \(webhook\): unlocked; last: main by dee at .* UTC, ✘ HTTP 500$/m);
    expect(list).toMatch(/^site \(webhook\): unlocked; last: once by dee .* ✘ the previous worker stopped/m);
  });

  it('gives up on a webhook that does not answer within timeoutSec', async () => {
    const n = mark();
    await t.bot.text(DEP, '/deploy slow main');
    await until(done(n));
    expect(texts(since(n)).at(-1)).toMatch(/^@dee deploy of slow main failed: no answer within 1 s/);
    expect(await t.bot.text(DEP, '/deploy list')).toMatch(/^slow \(webhook\): unlocked; last: main by dee .* ✘ no answer within 1 s$/m);
  });

  it('polls the status URL until it reports done', async () => {
    t.hooks.statusBody = '{"status":"running"}';
    const n = mark();
    await t.bot.text(DEP, '/deploy polled rc-2');
    await until(() => t.hooks.requests.filter((r) => r.path === '/status/rc-2').length >= 2);
    t.hooks.statusBody = '{"status":"success"}';
    await until(done(n));
    expect(texts(since(n)).at(-1)).toMatch(/^@dee deploy of polled rc-2 finished ✔/);
  });
});
