import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { App } from './main.js';
import { connectRedis } from '../redis/connect.js';
import { statement } from '../services/db/index.js';
import { VaultClient } from '../services/secrets/index.js';
import type { HttpServer } from '../http/server.js';

const PING = statement('ready.ping', 'SELECT 1 AS ok');

/**
 * The dependency checks of `opsline start` for what the config names: MySQL, Redis, Vault and each
 * device agent (chat adapters add their own connection checks). `/readyz` and `/metrics` report them;
 * none makes the process unready (docs/hosting.md). Returns what closes the check's own Redis connection.
 */
export function mountReadyChecks(http: HttpServer, app: App, log: Logger): () => Promise<void> {
  const db = app.db;
  if (db) http.readyCheck('mysql', async () => void (await db.rows(PING)));
  let redis: Redis | undefined;
  const r = app.config.redis;
  if (r) {
    // Its own connection, failing fast: a readiness probe must not queue behind a dead server.
    redis = connectRedis(r, { role: 'ready', profile: 'probe' });
    redis.on('error', (err: Error) => log.debug({ err }, 'readiness redis connection'));
    const client = redis;
    http.readyCheck('redis', async () => (client.status === 'ready' ? ((await client.ping()) === 'PONG' ? undefined : 'no PONG') : `connection ${client.status}`));
  }
  const vault = app.config.vault;
  if (vault) {
    const client = new VaultClient(vault);
    http.readyCheck('vault', () => client.health().then(() => undefined));
  }
  const devices = app.services.burns?.devices;
  for (const a of devices?.agents() ?? []) {
    http.readyCheck(`agent:${a.name}`, async () => {
      const state = devices?.state(a.name);
      return state === 'up' ? undefined : `agent ${a.name} is ${state ?? 'unknown'}`;
    });
  }
  return async () => {
    redis?.disconnect();
  };
}
