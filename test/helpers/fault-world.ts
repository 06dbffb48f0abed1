import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HookServer } from './hook-server.js';
import { createTestDatabase, type TestDatabase } from './mysql.js';
import { redisPrefix } from './redis.js';
import { SlackDouble } from './slack-double.js';

export interface FaultWorld {
  readonly db: TestDatabase;
  readonly redis: { readonly prefix: string };
  readonly slack: SlackDouble;
  /** Deploy webhooks and response_urls land here. */
  readonly hooks: HookServer;
  /** A temp dir for the processes' config and files. */
  readonly dir: string;
}

/**
 * What a fault test with real opsline processes needs around them: a database of its own, a Redis prefix,
 * a Slack double, a hook server and a temp dir, each undone by `cleanups` (run in reverse by the test).
 */
export async function faultWorld(cleanups: (() => unknown)[], name: string): Promise<FaultWorld> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  const redis = redisPrefix();
  cleanups.push(() => redis.cleanup());
  const slack = await new SlackDouble().start();
  cleanups.push(() => slack.stop());
  const hooks = await new HookServer().start();
  cleanups.push(() => hooks.stop());
  const dir = await mkdtemp(join(tmpdir(), `opsline-${name}-`));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return { db, redis, slack, hooks, dir };
}
