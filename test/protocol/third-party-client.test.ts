import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as zmq from 'zeromq';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../helpers/agent-fixture.js';
import { CLI, startCli } from '../helpers/cli-child.js';
import { makeIso } from '../helpers/iso.js';

// A client written from docs/agent.md alone, as a third party would (its code uses nothing from src/),
// against the real `opsline agent` with keys from `opsline keys` and a pseudo-drive.

const root = await mkdtemp(join(tmpdir(), 'opsline-3p-'));
afterAll(() => rm(root, { recursive: true, force: true }));

type Msg = Record<string, unknown> & { op: string };

/** docs/agent.md: `<name>.key` is YAML with `public: "<z85>"` and `secret: "<z85>"` lines. */
async function keyFile(name: string): Promise<{ public: string; secret: string }> {
  await promisify(execFile)(process.execPath, [CLI, 'keys', name, '--dir', root]);
  const text = await readFile(join(root, `${name}.key`), 'utf8');
  const get = (k: string) => new RegExp(`^${k}: "(.{40})"$`, 'm').exec(text)![1]!;
  expect((await readFile(join(root, `${name}.pub`), 'utf8')).trim()).toBe(get('public'));
  return { public: get('public'), secret: get('secret') };
}

it('hello, images, drives and a burn, by the documented protocol only', async () => {
  const agentKeys = await keyFile('agent');
  const botKeys = await keyFile('bot');
  await mkdir(join(root, 'images'));
  await makeIso(join(root, 'images'), 'release.iso', { bytes: 512 * 1024 });
  const config = {
    log: { level: 'info' },
    agent: {
      bind: `tcp://127.0.0.1:${await freePort()}`,
      keys: agentKeys,
      allowedClients: [botKeys.public],
      imagesDir: join(root, 'images'),
      stateDir: join(root, 'state'),
      drives: [{ name: 'virtual', device: `stdio:${join(root, 'virtual.img')}` }],
    },
  };
  await writeFile(join(root, 'agent.yaml'), JSON.stringify(config));
  const agent = await startCli(['--config', join(root, 'agent.yaml'), 'agent'], 'agent listening');
  try {
    const endpoint = config.agent.bind;
    const dealer = new zmq.Dealer({ curveServerKey: agentKeys.public, curvePublicKey: botKeys.public, curveSecretKey: botKeys.secret, routingId: 'third-party-1', linger: 0 });
    dealer.connect(endpoint);
    const inbox: Msg[] = [];
    let wake: () => void = () => undefined;
    void (async () => {
      for await (const [frame] of dealer) {
        inbox.push(JSON.parse(frame!.toString('utf8')) as Msg);
        wake();
      }
    })().catch(() => undefined);
    const next = async (match: (m: Msg) => boolean): Promise<Msg> => {
      for (;;) {
        const i = inbox.findIndex(match);
        if (i >= 0) return inbox.splice(i, 1)[0]!;
        await new Promise<void>((r) => (wake = r));
      }
    };
    const send = (m: object) => dealer.send(JSON.stringify(m));

    await send({ v: 1, op: 'heartbeat' });
    expect(await next((m) => m.op === 'heartbeat')).toEqual({ v: 1, op: 'heartbeat' });
    await send({ v: 1, id: 'h', op: 'hello' });
    expect(await next((m) => m.id === 'h')).toEqual({ v: 1, op: 'reply', id: 'h', data: { agent: expect.any(String), v: 1, heartbeatMs: 2000, drives: 1, capabilities: ['burn', 'deploy', 'commands'] } });
    await send({ v: 1, id: 'i', op: 'images' });
    expect(await next((m) => m.id === 'i')).toMatchObject({ op: 'reply', data: [{ name: 'release.iso', size: expect.any(Number), volumeId: 'OPSLINE_TEST' }] });
    await send({ v: 1, id: 'd', op: 'drives' });
    expect(await next((m) => m.id === 'd')).toMatchObject({ op: 'reply', data: [{ name: 'virtual', kind: 'pseudo' }] });
    // Unknown keys are refused; speed is a string.
    await send({ v: 1, id: 'x', op: 'burn', jobId: 'tp-1', image: 'release.iso', drive: 'virtual', speed: 8 });
    expect(await next((m) => m.id === 'x')).toMatchObject({ op: 'error', code: 'bad_request', message: expect.stringContaining('speed') });

    await send({ v: 1, id: 'b', op: 'burn', jobId: 'tp-1', image: 'release.iso', drive: 'virtual' });
    expect(await next((m) => m.id === 'b')).toEqual({ v: 1, op: 'accepted', id: 'b', jobId: 'tp-1', attached: false });
    const done = await next((m) => m.op === 'done' && m.jobId === 'tp-1');
    expect(done.result).toMatchObject({ outcome: 'ok', ok: true, verified: true, ejected: 'no-op', startedAt: expect.any(String), finishedAt: expect.any(String) });
    expect(inbox.some((m) => m.op === 'progress' && m.phase === 'verifying')).toBe(true);

    // Re-attach: the same jobId never burns again, its done follows the accepted.
    await send({ v: 1, id: 'b2', op: 'burn', jobId: 'tp-1', image: 'release.iso', drive: 'virtual' });
    expect(await next((m) => m.id === 'b2')).toMatchObject({ op: 'accepted', attached: true });
    expect(await next((m) => m.op === 'done' && m.jobId === 'tp-1')).toEqual(done);
    await send({ v: 1, id: 's', op: 'status', jobId: 'tp-1' });
    expect(await next((m) => m.id === 's')).toEqual({ v: 1, op: 'reply', id: 's', data: { jobId: 'tp-1', state: 'finished', result: done.result } });
    await send({ v: 1, id: 'c', op: 'cancel', jobId: 'tp-1' });
    expect(await next((m) => m.id === 'c')).toMatchObject({ op: 'error', code: 'not_running' });
    // Nothing was refused that the document allows (the id-less heartbeat above used to get bad_request).
    expect(inbox.filter((m) => m.op === 'error')).toEqual([]);
    dealer.close();
  } finally {
    agent.kill('SIGTERM');
  }
}, 120_000);
