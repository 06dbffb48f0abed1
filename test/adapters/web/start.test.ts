import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisKeyStore } from '../../../src/services/web/key-store.js';
import { SignInLinks } from '../../../src/services/web/sign-in-links.js';
import { startBotChild, type BotChild } from '../../helpers/bot-child.js';
import { REDIS_URL, redisPrefix } from '../../helpers/redis.js';
import { openLink, postContinue, sessionCookie } from '../../helpers/web-signin.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('opsline start with a web section', () => {
  it('serves the view on the main port, and a link issued by another process (a replica) signs in through Redis', async () => {
    const redis = redisPrefix();
    cleanups.push(() => redis.cleanup());
    const dir = await mkdtemp(join(tmpdir(), 'opsline-web-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const config = join(dir, 'opsline.json');
    await writeFile(config, JSON.stringify({
      http: { port: 0, host: '127.0.0.1' },
      redis: { url: REDIS_URL, prefix: redis.prefix },
      access: { users: [{ key: 'console:alice', roles: ['operator'] }] },
      web: {},
    }));
    const bot: BotChild = await startBotChild(config);
    cleanups.push(() => bot.stop());
    expect(bot.output()).toMatch(/"adapters":\["web"\]/);

    const signedOut = await fetch(`${bot.base}/web/jobs`);
    expect(signedOut.status).toBe(401);
    expect(signedOut.headers.get('content-security-policy')).toContain("script-src 'self'");

    // This test process plays the replica that answered `/web`: the link lives in the shared Redis.
    const store = new RedisKeyStore(REDIS_URL, redis.prefix, pino({ level: 'silent' }));
    cleanups.push(() => store.close());
    const t = await new SignInLinks(store, Date.now).issue({ key: 'console:alice', name: 'alice' });
    const res = await postContinue(bot.base, await openLink(`${bot.base}/web/signin?t=${t}`));
    expect(res.status).toBe(303);
    const cookie = sessionCookie(res);
    const jobs = await fetch(`${bot.base}/web/jobs`, { headers: { cookie } });
    expect(jobs.status).toBe(200);
    expect(await jobs.text()).toContain('alice (console:alice)');
    // Page views are counted in /metrics (not audited); ids in paths do not become labels.
    await fetch(`${bot.base}/web/jobs/b123456`, { headers: { cookie } });
    const metrics = await (await fetch(`${bot.base}/metrics`)).text();
    expect(metrics).toMatch(/^opsline_web_requests_total\{page="jobs"\} 2$/m);
    expect(metrics).toMatch(/^opsline_web_requests_total\{page="signin"\} 2$/m);
    expect(metrics).toMatch(/^opsline_web_requests_total\{page="job"\} 1$/m);
    expect(metrics).toMatch(/^opsline_web_live_connections 0$/m);
    // The secret never reaches the log.
    expect(bot.output()).not.toContain(t);
    expect(bot.output()).not.toContain(cookie.split('=')[1] ?? 'x');
    expect((await bot.stop()).code).toBe(0);
  }, 60_000);
});
