import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineCommand, reply, type PluginContext } from '../../src/sdk/index.js';
import { testBot, type TestBot } from '../../src/sdk/testing.js';

// The ports of a plugin's context (docs/plugins.md, "The context"), through opsline/testing's bot:
// the real registry and dispatcher, in-memory notes, settable counts, listed devices, secrets from a map.

let seen: { path: string; headers: IncomingMessage['headers']; body: string }[] = [];
const server: Server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    seen.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    if (req.url?.startsWith('/json')) return void res.writeHead(200, { 'content-type': 'application/json', 'X-Depth': '3' }).end('{"depth":3}');
    if (req.url === '/big') return void res.writeHead(200).end('x'.repeat(1_000_001));
    if (req.url === '/hang') return; // never answers
    res.writeHead(201).end('plain');
  });
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

/** A command whose handler is given by the test: `/probe` runs `probe(ctx)` and shows what it returns. */
let probe: (ctx: PluginContext) => Promise<unknown> = async () => 'nothing';
const cmd = defineCommand({
  name: 'probe',
  description: 'Runs the test probe',
  args: [{ name: 'rest', type: 'text', description: 'anything' }],
  roles: ['viewer'],
  handler: async (ctx) => reply(JSON.stringify(await probe(ctx as PluginContext))),
});

let bot: TestBot | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  seen = [];
});
const users = { 'console:vic': ['viewer' as const], 'console:wes': ['writer' as const] };
const run = async (f: (ctx: PluginContext) => Promise<unknown>, caller = 'console:vic') => {
  probe = f;
  return bot!.say(caller, '/probe');
};

describe('ctx.notes', () => {
  it('adds as the caller, each add of one invocation once, and lists and searches', async () => {
    bot = await testBot({ commands: cmd, users });
    const r = await run(async (ctx) => [(await ctx.notes.add('backup key rotated')).id, (await ctx.notes.add('second')).id, ctx.notes.durable]);
    expect(JSON.parse(r.text)).toEqual([1, 2, false]);
    const listed = await run(async (ctx) => (await ctx.notes.list(5)).map((n) => [n.id, n.authorKey, n.body]));
    expect(JSON.parse(listed.text)).toEqual([[2, 'console:vic', 'second'], [1, 'console:vic', 'backup key rotated']]);
    expect(JSON.parse((await run(async (ctx) => (await ctx.notes.search('KEY backup')).map((n) => n.id))).text)).toEqual([1]);
    expect(JSON.parse((await run(async (ctx) => (await ctx.notes.search(['second'])).map((n) => n.id))).text)).toEqual([2]);
  });

  it("refuses what /note add refuses, with /note's words", async () => {
    bot = await testBot({ commands: cmd, users });
    const long = await run((ctx) => ctx.notes.add('x'.repeat(2001)));
    expect(long.code).toBe('usage');
    expect(long.text).toMatch(/text is too long \(2001 characters, at most 2000\)/);
    expect((await run((ctx) => ctx.notes.add('bell \u0007'))).code).toBe('bad_input');
    expect((await run((ctx) => ctx.notes.search('a b c d e f g h i'))).code).toBe('bad_input');
    // The words are checked as /note search checks them: at most 200 characters, no control characters.
    expect((await run((ctx) => ctx.notes.search('w'.repeat(201)))).text).toMatch(/words is too long \(201 characters, at most 200\)/);
    expect((await run((ctx) => ctx.notes.search(['ok', 'bell \u0007']))).code).toBe('bad_input');
    expect((await run((ctx) => ctx.notes.list(51))).code).toBe('bad_input');
    expect((await run((ctx) => ctx.notes.add(undefined as never))).code).toBe('bad_input');
    expect(JSON.parse((await run(async (ctx) => (await ctx.notes.list()).length)).text)).toBe(0);
  });
});

describe('ctx.status', () => {
  it('reports the counts the test sets, and says not configured without them', async () => {
    bot = await testBot({ commands: cmd, users, status: { counts: { done: 3, queued: 1 } } });
    const r = JSON.parse((await run(async (ctx) => [ctx.status.windows, await ctx.status.report('7d')])).text) as [string[], { total: number; done: number; window: string }];
    expect(r[0]).toEqual(['today', '24h', '7d', 'all']);
    expect(r[1]).toMatchObject({ window: '7d', total: 4, done: 3 });
    bot.setStatus({ counts: { done: 5 }, hasTimeColumn: false });
    expect((await bot.say('console:vic', '/status all')).text).toMatch(/5 total, 100% done/);
    expect((await run((ctx) => ctx.status.report('today'))).code).toBe('bad_input');
    await bot.stop();
    bot = await testBot({ commands: cmd, users });
    const off = await run((ctx) => ctx.status.report());
    expect([off.code, off.text]).toEqual(['not_configured', 'status is not configured (no status table or storage)']);
  });
});

describe('ctx.devices and ctx.jobs', () => {
  it('list agents and drives as /drives does, and the (empty) job queue', async () => {
    bot = await testBot({ commands: cmd, users, devices: { burner1: [{ name: 'dvd1', kind: 'device', speed: '4000k' }] } });
    const r = JSON.parse((await run(async (ctx) => [await ctx.devices.drives(), await ctx.jobs.list(), await ctx.jobs.recent(5)])).text) as unknown[];
    expect(r).toEqual([[{ agent: 'burner1', state: 'up', drives: [{ name: 'dvd1', kind: 'device', speed: '4000k' }] }], [], []]);
    expect((await bot.say('console:vic', '/drives')).text).toMatch(/burner1 \(up\):\n {2}dvd1 {2}device 4000k {2}idle/);
  });

  it('say not configured without agents or queues', async () => {
    bot = await testBot({ commands: cmd, users });
    expect((await run((ctx) => ctx.devices.drives())).code).toBe('not_configured');
    expect((await run((ctx) => ctx.jobs.list())).code).toBe('not_configured');
    expect(JSON.parse((await run(async (ctx) => [ctx.devices.configured, ctx.jobs.configured])).text)).toEqual([false, false]);
  });
});

describe('ctx.secrets', () => {
  it('reads vault: and env: references from the map, refuses others, logs no value', async () => {
    bot = await testBot({ commands: cmd, users, secrets: { 'vault:ci/prod#token': 's3cr3t-vault', 'env:API_KEY': 's3cr3t-env' } });
    expect(JSON.parse((await run(async (ctx) => [await ctx.secrets.get('vault:ci/prod#token'), await ctx.secrets.get('env:API_KEY')])).text)).toEqual(['s3cr3t-vault', 's3cr3t-env']);
    const unset = await run((ctx) => ctx.secrets.get('env:OTHER'));
    expect([unset.code, unset.text]).toEqual(['not_configured', 'secret env:OTHER is not set']);
    expect((await run((ctx) => ctx.secrets.get('vault:ci/prod#other'))).code).toBe('not_configured');
    expect((await run((ctx) => ctx.secrets.get('file:/etc/passwd'))).code).toBe('bad_input');
    expect((await run((ctx) => ctx.secrets.get('env:__proto__x'))).code).toBe('not_configured');
    expect(JSON.stringify(bot.logs)).not.toMatch(/s3cr3t/);
  });
});

describe('ctx.http', () => {
  it('sends a request and reads status, lower-case headers, text and json', async () => {
    bot = await testBot({ commands: cmd, users });
    const r = await run(async (ctx) => {
      const res = await ctx.http.request({ url: `${base}/json` });
      return [res.status, res.headers['x-depth'], res.text, res.json()];
    });
    expect(JSON.parse(r.text)).toEqual([200, '3', '{"depth":3}', { depth: 3 }]);
    const posted = await run(async (ctx) => (await ctx.http.request({ method: 'post', url: `${base}/in`, body: { a: 1 }, headers: { 'X-Token': 't' } })).status);
    expect(JSON.parse(posted.text)).toBe(201);
    expect(seen.at(-1)).toMatchObject({ path: '/in', body: '{"a":1}', headers: { 'content-type': 'application/json', 'x-token': 't' } });
    expect((await run(async (ctx) => (await ctx.http.request({ url: `${base}/plain` })).json())).code).toBe('bad_input');
  });

  it('refuses a bad request, an answer over the cap, and one that does not come in time', async () => {
    bot = await testBot({ commands: cmd, users });
    expect((await run((ctx) => ctx.http.request({ url: 'file:///etc/passwd' }))).code).toBe('bad_input');
    expect((await run((ctx) => ctx.http.request({ url: `http://u:hunter2@${base.slice('http://'.length)}/json` }))).code).toBe('bad_input');
    expect((await run((ctx) => ctx.http.request({ url: `${base}/x`, timeoutMs: 60_001 }))).code).toBe('bad_input');
    expect((await run((ctx) => ctx.http.request({ url: `${base}/x`, body: 'b' }))).code).toBe('bad_input');
    const big = await run((ctx) => ctx.http.request({ url: `${base}/big` }));
    expect([big.code, big.text]).toEqual(['unavailable', `GET 127.0.0.1:${base.split(':').pop()}: the answer is larger than 1000000 bytes`]);
    expect((await run((ctx) => ctx.http.request({ url: `${base}/hang`, timeoutMs: 50 }))).code).toBe('timeout');
  });

  it('logs the method and host only, never a secret the command read', async () => {
    bot = await testBot({ commands: cmd, users, secrets: { 'env:TOKEN': 'tok-abcdef' } });
    await run(async (ctx) => {
      const token = await ctx.secrets.get('env:TOKEN');
      await ctx.http.request({ url: `${base}/json?token=${token}`, headers: { authorization: `Bearer ${token}` } });
      return ctx.http.request({ url: `http://127.0.0.1:1/?token=${token}` }).catch(() => 'failed');
    });
    const lines = bot.logs.filter((l) => String(l.msg).startsWith('plugin http'));
    expect(lines.map((l) => l.msg)).toEqual(['plugin http request', 'plugin http request failed']);
    expect(JSON.stringify(bot.logs)).not.toMatch(/tok-abcdef|token=/);
    // A failure's log line has the error's name and code, not its message (which can quote the URL).
    expect(lines[1]).toMatchObject({ method: 'GET', host: '127.0.0.1:1', error: 'TypeError' });
    expect(lines[1]).not.toHaveProperty('err');
  });
});

describe('the context', () => {
  it('is frozen, and each port is a frozen object of plain functions', async () => {
    bot = await testBot({ commands: cmd, users });
    const r = await run(async (ctx) => {
      const ports = [ctx.status, ctx.notes, ctx.devices, ctx.jobs, ctx.http, ctx.secrets];
      return [Object.isFrozen(ctx), ports.every((p) => Object.isFrozen(p)), ports.map((p) => Object.keys(p).sort().join(','))];
    });
    expect(JSON.parse(r.text)).toEqual([true, true, ['configured,report,windows', 'add,durable,list,search', 'configured,drives', 'configured,list,recent', 'request', 'get']]);
  });
});
