import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { createDiscordAdapter } from '../src/adapters/discord/factory.js';
import { buildConfig } from '../src/config/load.js';
import { HttpServer } from '../src/http/server.js';
import { buildApp } from '../src/app/main.js';
import { ackRows, BARE_PATH, bareRoute, pairedLoad, prepared, SECONDS, withServer, type Prepared } from './http-load.js';
import type { Bench } from './report.js';

const RATE = 200;
const USER = '80351110224678913';

/**
 * Ack latency of signed Discord HTTP interactions (/help) through the real endpoint (Ed25519 check,
 * zod payload, dispatcher), beside a bare POST handler on the same server fed the same signed body
 * at the same rate (bench/http-load.ts `bareRoute`).
 */
export const discordAckBench: Bench = {
  name: 'discord-ack',
  description: `ack latency of signed Discord /help interactions at ${RATE} req/s for ${SECONDS} s, beside a bare POST handler`,
  run: () =>
    withServer(new URL(import.meta.url), 'discord-ack-server', async (base) => {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const hex = Buffer.from(String(publicKey.export({ format: 'jwk' }).x), 'base64url').toString('hex');
      keyFor.set(base, privateKey);
      // The worker configures Discord with this public key and answers once the adapter is serving.
      await fetch(`${base}/bench-key`, { method: 'POST', body: hex });
      const r = await pairedLoad({ rate: RATE, seconds: SECONDS }, (n) => signedHelp(base, `${base}/discord/interactions`, n), (n) => signedHelp(base, `${base}${BARE_PATH}`, n));
      return ackRows(`discord ack /help @${RATE}/s`, r, 50);
    }),
};

const keyFor = new Map<string, KeyObject>();

/** Built and signed now (Ed25519 is the client's cost, not the endpoint's), sent when the load says. */
function signedHelp(base: string, url: string, n: number): Prepared {
  const body = JSON.stringify({
    id: `${Date.now()}${String(n).padStart(7, '0')}`,
    type: 2,
    token: `bench-${n}`,
    guild_id: '1100000000000000002',
    channel_id: '1100000000000000003',
    member: { user: { id: USER, username: 'bench' } },
    data: { name: 'help', type: 1, options: [] },
  });
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = sign(null, Buffer.from(ts + body), keyFor.get(base)!).toString('hex');
  return prepared(url, { headers: { 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': ts }, body });
}

/** Worker side: waits for the bench's public key, then serves the real Discord HTTP adapter. */
async function serve(): Promise<void> {
  const log = pino({ level: 'silent' });
  const http = new HttpServer(log);
  bareRoute(http);
  let ready: (v: { hex: string; done: () => void }) => void = () => undefined;
  const key = new Promise<{ hex: string; done: () => void }>((r) => (ready = r));
  http.route('POST', '/bench-key', (req, res) => {
    let hex = '';
    req.on('data', (d: Buffer) => (hex += d.toString()));
    req.on('end', () => ready({ hex, done: () => res.end() }));
  });
  parentPort!.postMessage(await http.listen(0, '127.0.0.1'));
  const { hex, done } = await key;
  const config = buildConfig({
    log: { level: 'silent' },
    discord: { mode: 'http', token: 'bench-token', applicationId: '1100000000000000001', publicKey: hex, apiUrl: 'http://127.0.0.1:9/api' },
    access: { users: [{ key: `discord:${USER}`, name: 'bench', roles: ['viewer'] }] },
  });
  const app = await buildApp(config, { log, demo: true });
  const adapter = createDiscordAdapter({ app, http, log });
  await adapter!.start(app.dispatcher.dispatch.bind(app.dispatcher));
  done();
  await once(parentPort!, 'message');
  await adapter!.stop();
  await http.close();
  await app.stop();
  parentPort!.close();
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'discord-ack-server') await serve();
