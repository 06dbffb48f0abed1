import { escapeId } from 'mysql2';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort } from 'node:worker_threads';
import { pino, type Logger } from 'pino';
import { adapterFactories } from '../src/adapters/index.js';
import type { Adapter } from '../src/adapters/types.js';
import { buildApp } from '../src/app/main.js';
import { buildConfig } from '../src/config/load.js';
import { HttpServer } from '../src/http/server.js';
import { createLogger } from '../src/log.js';
import { Metrics } from '../src/metrics/metrics.js';
import { connectRedis } from '../src/redis/connect.js';
import { createPool, Db, migrate } from '../src/services/db/index.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** What the bare handler answers: a constant, as a Slack ack or a Discord interaction reply would carry it. */
export const BARE_ANSWER = 'a constant answer';

/** A fresh database with opsline's tables (the audit trail lands there), and a Redis prefix of its own. */
export async function productionWorld(): Promise<{ db: string; prefix: string; close(): Promise<void> }> {
  const db = `opsline_bench_${randomBytes(4).toString('hex')}`;
  const root = createPool({ host: '127.0.0.1', port: 3306, user: 'root', password: '', timeoutMs: 30_000, poolSize: 1 });
  await root.query(`CREATE DATABASE ${escapeId(db)} CHARACTER SET utf8mb4`);
  const pool = createPool({ host: '127.0.0.1', port: 3306, user: 'root', password: '', database: db, timeoutMs: 30_000, poolSize: 1 });
  await migrate(new Db(pool, 30_000, pino({ level: 'silent' })));
  await pool.end();
  const prefix = `opsline-bench-${process.pid}-${randomBytes(3).toString('hex')}`;
  return {
    db,
    prefix,
    async close() {
      await root.query(`DROP DATABASE IF EXISTS ${escapeId(db)}`);
      await root.end();
      await dropPrefix(prefix);
    },
  };
}

/** Removes a bench's Redis keys (the server is shared with other runs). */
export async function dropPrefix(prefix: string): Promise<void> {
  const redis = connectRedis(REDIS_URL, { role: 'bench-cleanup', profile: 'command' });
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.unlink(...keys);
  } finally {
    redis.disconnect();
  }
}

/** `opsline start`'s logger (src/log.ts) at `level`, writing synchronously as it does to stderr, here to /dev/null. */
export function productionLogger(level = 'info'): Logger {
  return createLogger({ level, destination: pino.destination({ dest: '/dev/null', sync: true }) });
}

/** The dedup key the bare handler claims: Slack's trigger_id, or the Discord interaction's id. */
export type DedupKey = 'slack' | 'discord';

function keyOf(kind: DedupKey, body: string): string {
  if (kind === 'slack') return `slack:${new URLSearchParams(body).get('trigger_id') ?? ''}`;
  return `discord:${String((JSON.parse(body) as { id?: unknown }).id)}`;
}

/**
 * The baseline for every HTTP ack row (docs/testing.md): a bare `node:http` handler that reads the
 * whole body, does what opsline must before it acks (one `SET <key> 1 PX 600000 NX` in Redis for
 * dedup, on a connection made as opsline makes its own) and answers a constant. No signature check,
 * no schema, no dispatch, no audit: the ratio is what opsline adds on top of the unavoidable.
 */
function bareServer(kind: DedupKey, prefix: string): { server: Server; close(): void } {
  const redis = connectRedis(REDIS_URL, { role: 'bench-bare', profile: 'command' });
  const answer = JSON.stringify({ response_type: 'ephemeral', text: BARE_ANSWER });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => {
      redis.set(`${prefix}:bare-seen:${keyOf(kind, Buffer.concat(chunks).toString('utf8'))}`, '1', 'PX', 600_000, 'NX').then(
        (first) => res.writeHead(200, { 'content-type': 'application/json' }).end(first === 'OK' ? answer : ''),
        () => res.writeHead(500).end(),
      );
    });
  });
  return { server, close: () => redis.disconnect() };
}

/**
 * In a bench worker thread: opsline's HTTP side as `opsline start` builds it (src/cli/start.ts) from
 * `raw` config (with MySQL for the audit trail and Redis for replay keys, grants, confirmations and
 * the rate budget): `buildApp`, the JSON logger at the config's level (default `info`, written
 * synchronously as to stderr, here to /dev/null), the metered audit, every configured adapter from
 * `adapterFactories`. Beside it, the bare handler on a port of its own. Posts both ports and
 * serves until the parent says stop.
 */
export async function serveProduction(raw: Record<string, unknown>, kind: DedupKey, prefix: string): Promise<void> {
  const config = buildConfig(raw);
  const log = productionLogger(config.log.level);
  const metrics = new Metrics(() => true);
  const app = await buildApp(config, { log, metrics });
  const http = new HttpServer(log);
  const adapters: Adapter[] = [];
  for (const factory of adapterFactories) {
    const adapter = await factory({ app, http, log });
    if (adapter) adapters.push(adapter);
  }
  const dispatch = app.dispatcher.dispatch.bind(app.dispatcher);
  for (const a of adapters) await a.start(dispatch);
  const port = await http.listen(0, '127.0.0.1');
  const bare = bareServer(kind, prefix);
  bare.server.listen(0, '127.0.0.1');
  await once(bare.server, 'listening');
  parentPort!.postMessage([port, (bare.server.address() as AddressInfo).port]);
  await once(parentPort!, 'message');
  for (const a of adapters.reverse()) await a.stop();
  await http.close();
  bare.server.closeAllConnections();
  await new Promise((r) => bare.server.close(r));
  bare.close();
  await app.stop();
  parentPort!.close();
}
