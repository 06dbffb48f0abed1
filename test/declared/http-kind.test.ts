import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { MemorySecrets } from '../../src/services/secrets/index.js';
import { TestAdapter, users } from '../helpers/test-adapter.js';

/** The queue service a team would point /queue-depth at: records every request it is sent. */
interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}
const seen: Seen[] = [];
let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/echo')) res.end(JSON.stringify({ got: Buffer.concat(chunks).toString('utf8'), token: req.headers.authorization }));
      else res.end(JSON.stringify({ depth: 42, name: decodeURIComponent(req.url ?? '') }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

let bot: TestAdapter | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  seen.length = 0;
});

const VIEWER = 'console:vic';
const TOKEN = 'sekret-token-123456';

function config(access: Partial<NonNullable<ConfigInput['access']>> = {}): ConfigInput {
  return {
    access: { users: users({ [VIEWER]: ['viewer'], 'console:ops': ['operator'], 'console:boss': ['admin'] }), ...access },
    commands: [
      {
        name: 'queue-depth',
        description: 'Depth of a work queue',
        kind: 'http',
        args: [{ name: 'queue', type: 'enum', values: ['orders', 'emails'] }],
        url: `${base}/api/queues/{queue}`,
        headers: { Authorization: 'Bearer {vault:ops/queues#token}' },
        reply: '{queue}: {body.depth} waiting',
        roles: ['viewer'],
      },
      {
        name: 'echo',
        description: 'Sends a label in a JSON body',
        kind: 'http',
        method: 'POST',
        args: [{ name: 'label', type: 'string', pattern: '[^\\x00]{1,200}' }],
        url: `${base}/echo?label={label}`,
        headers: { Authorization: 'Bearer {vault:ops/queues#token}' },
        body: '{"label":"{label}","by":"{user.key}"}',
        roles: ['viewer'],
      },
      {
        name: 'lookup',
        description: 'A string without its own pattern',
        kind: 'http',
        args: [{ name: 'key', type: 'string' }],
        url: `${base}/lookup/{key}`,
        roles: ['viewer'],
      },
      {
        name: 'restart-queue',
        description: 'Operators only',
        kind: 'http',
        method: 'POST',
        url: `${base}/restart`,
        roles: ['operator'],
        confirm: true,
      },
      {
        name: 'purge-queue',
        description: 'Needs a second person',
        kind: 'http',
        method: 'DELETE',
        url: `${base}/purge`,
        roles: ['operator'],
        approvers: ['admin'],
      },
    ],
  };
}

async function start(access?: Partial<NonNullable<ConfigInput['access']>>): Promise<TestAdapter> {
  bot = await TestAdapter.create({ config: config(access), secrets: new MemorySecrets({ 'vault:ops/queues#token': TOKEN }) });
  return bot;
}

describe('a declared http command', () => {
  it('fills the URL from the typed value and the secret from the vault, and answers with the template', async () => {
    const b = await start();
    expect(await b.text(VIEWER, '/queue-depth orders')).toBe('orders: 42 waiting');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('/api/queues/orders');
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(b.audit.records.map((r) => [r.command, r.outcome])).toEqual([['queue-depth', 'ok']]);
  });

  it('escapes a caller value for where it lands and never resolves a secret reference it carries', async () => {
    const b = await start();
    const label = 'a"b&c={vault:ops/queues#token}';
    const text = await b.text(VIEWER, `/echo '${label}'`);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe(`/echo?label=${encodeURIComponent(label)}`);
    expect(JSON.parse(seen[0]!.body)).toEqual({ label, by: VIEWER });
    // No template: the status and the first lines; the secret echoed back is masked.
    expect(text).toContain('HTTP 200');
    expect(text).not.toContain(TOKEN);
    expect(text).toContain('•••');
  });

  it.each([
    ['a value outside the enum', '/queue-depth payments', 'queue must be one of: orders, emails'],
    ['an option-shaped value', '/queue-depth --upload-pack=x', 'queue'],
    ['a SQL fragment', "/queue-depth \"orders' OR 1=1 --\"", 'queue must be one of'],
    ['constructor as the value', '/queue-depth constructor', 'queue must be one of'],
    ['__proto__ as the value', '/queue-depth __proto__', 'queue must be one of'],
    ['an option-shaped string', '/lookup -rf', 'key must be one word'],
    ['a path with ..', '/lookup a/../../etc', 'key must be one word'],
    ['a dotted walk', '/lookup ..', 'key must be one word'],
    ['a value over its length', `/echo ${'x'.repeat(300)}`, 'label is too long'],
    // Refused before parsing, for every command: the whole line is no input (src/core/input.ts).
    ['a NUL', '/echo "a\u0000b"', 'control characters'],
    ['100 KB of text', `/echo ${'x'.repeat(100_000)}`, 'input too long'],
  ])('refuses %s with a reply naming the argument; one audit row, no request', async (_what, line, says) => {
    const b = await start();
    const [r] = await b.say(VIEWER, line);
    expect(r!.text).toContain(says);
    expect(r!.text.length).toBeLessThan(400);
    expect(seen).toEqual([]);
    expect(b.audit.records).toHaveLength(1);
    expect(b.audit.records[0]!.outcome).not.toBe('ok');
  });

  it('masks a secret the service echoes back before it cuts a line, wherever the cut falls', async () => {
    const b = await start();
    // The echoed line puts the caller's label before the token, each `"` of it escaped twice (4
    // characters): its length moves the 300-character cut of a line across the token.
    const who = { key: VIEWER, name: 'vic' };
    for (let n = 45; n <= 70; n++) {
      const inv = { id: randomUUID(), platform: 'test', principal: who, room: 'C1', command: 'echo', options: { values: { label: '"'.repeat(n) } }, receivedAt: new Date() };
      const r = await b.app.dispatcher.dispatch(inv, b.transport.starter(who));
      expect(r.text, `label of ${n}`).not.toMatch(/sekr|ekret|-123/);
    }
  });

  it('is not run, nor listed in /help, for a caller without its role; an operator is asked to confirm', async () => {
    const b = await start();
    const [r] = await b.say(VIEWER, '/restart-queue');
    expect(r!.code).toBe('denied');
    expect(await b.text(VIEWER, '/help')).not.toContain('restart-queue');
    expect(await b.text(VIEWER, '/help')).toContain('queue-depth');
    const [asked] = await b.say('console:ops', '/restart-queue');
    expect(asked!.confirm).toBeDefined();
    expect(seen).toEqual([]);
    await b.say('console:ops', `/confirm ${asked!.confirm!.code}`);
    expect(seen.map((s) => s.url)).toEqual(['/restart']);
  });

  it('is refused for /constructor and /__proto__ as unknown commands', async () => {
    const b = await start();
    for (const name of ['constructor', '__proto__']) {
      const [r] = await b.say(VIEWER, `/${name} x`);
      expect(r!.code).toBe('unknown_command');
    }
    expect(seen).toEqual([]);
  });

  it('takes access.commands overrides like any command', async () => {
    const b = await start({ commands: { 'queue-depth': ['operator'] } });
    const [r] = await b.say(VIEWER, '/queue-depth orders');
    expect(r!.code).toBe('denied');
    expect(seen).toEqual([]);
    expect(await b.text('console:ops', '/queue-depth orders')).toBe('orders: 42 waiting');
  });

  it('waits for a second person when it names approvers', async () => {
    const b = await start();
    const held = await b.text('console:ops', '/purge-queue');
    expect(held).toMatch(/needs the approval of someone else with the admin role/);
    expect(seen).toEqual([]);
    const code = /\/approve ([A-Z0-9]{6})/.exec(held)![1]!;
    await b.say('console:boss', `/approve ${code}`);
    expect(seen.map((x) => [x.method, x.url])).toEqual([['DELETE', '/purge']]);
  });
});
