import { generateKeyPairSync, sign } from 'node:crypto';
import { isMainThread, workerData } from 'node:worker_threads';
import { ackRows, pairedLoad, prepared, SECONDS, withServer, type Prepared } from './http-load.js';
import { productionWorld, REDIS_URL, serveProduction } from './production-endpoint.js';
import type { Bench } from './report.js';

const RATE = 200;
const USER = '80351110224678913';

interface Role {
  readonly role: 'discord-ack-server';
  readonly db: string;
  readonly prefix: string;
  readonly publicKey: string;
}

/** The bench's application key: the worker verifies with the public half, the load signs with the private one. */
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const PUBLIC_HEX = Buffer.from(String(publicKey.export({ format: 'jwk' }).x), 'base64url').toString('hex');

/**
 * Ack latency of signed Discord HTTP interactions (/help) on the production path (Ed25519 check, zod
 * payload, Redis replay key, dispatcher, MySQL audit: bench/production-endpoint.ts), beside a bare
 * node:http handler doing the same Redis SET NX for dedup, fed the same signed body at the same rate.
 */
export const discordAckBench: Bench = {
  name: 'discord-ack',
  description: `ack latency of signed Discord /help interactions at ${RATE} req/s for ${SECONDS} s on the production path, beside a bare node:http handler doing the same SET NX`,
  async run() {
    const world = await productionWorld();
    try {
      return await withServer(new URL(import.meta.url), { role: 'discord-ack-server', db: world.db, prefix: world.prefix, publicKey: PUBLIC_HEX }, async (base, bare) => {
        const r = await pairedLoad({ rate: RATE, seconds: SECONDS }, (n) => signedHelp(`${base}/discord/interactions`, n), (n) => signedHelp(`${bare}/discord/interactions`, n));
        return ackRows(`discord ack /help @${RATE}/s`, r, 50);
      });
    } finally {
      await world.close();
    }
  },
};

/** Built and signed now (Ed25519 is the client's cost, not the endpoint's), sent when the load says. */
function signedHelp(url: string, n: number): Prepared {
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
  const signature = sign(null, Buffer.from(ts + body), privateKey).toString('hex');
  return prepared(url, { headers: { 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': ts }, body });
}

/** Worker side: the production path with the bench's public key, and the bare handler. */
async function serve(r: Role): Promise<void> {
  const raw = {
    discord: { mode: 'http', token: 'bench-token', applicationId: '1100000000000000001', publicKey: r.publicKey, apiUrl: 'http://127.0.0.1:9/api' },
    mysql: { url: `mysql://root@127.0.0.1:3306/${r.db}` },
    redis: { url: REDIS_URL, prefix: r.prefix },
    access: { users: [{ key: `discord:${USER}`, name: 'bench', roles: ['viewer'] }] },
  };
  await serveProduction(raw, 'discord', r.prefix);
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'discord-ack-server') await serve(workerData as Role);
