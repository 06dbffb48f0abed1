import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { afterEach } from 'vitest';
import { stringify } from 'yaml';
import { buildConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import type { Reply } from '../../src/core/reply.js';
import { buildApp, type App } from '../../src/app/main.js';
import { dispatchLine } from './command-line.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, type TestDatabase } from './mysql.js';
import { botPolicy, leastPrivilegeStatements, VaultDouble } from './vault-double.js';

export const ADMIN = 'console:admin';
export const WRITER = 'console:writer';
export const ROLE = 'opsline-app';

export interface VaultWorld {
  readonly db: TestDatabase;
  readonly vault: VaultDouble;
  /** A token with the bot's policy (docs/vault.md). */
  readonly token: string;
  close(): Promise<void>;
}

export interface Ttl {
  readonly defaultTtlSec: number;
  readonly maxTtlSec: number;
}

/** A fresh database with a tasks table, and a Vault double whose role issues users with the docs/security.md grants. */
export async function vaultWorld(ttl: Ttl): Promise<VaultWorld> {
  const db = await createTestDatabase({ tasks: 'classic' });
  const vault = await VaultDouble.start();
  vault.addRole(ROLE, { creationStatements: leastPrivilegeStatements(db.name, `${db.name}.tasks`), ...ttl });
  const token = vault.addToken(botPolicy('database', ROLE));
  return {
    db,
    vault,
    token,
    async close() {
      await vault.close();
      await db.drop();
    },
  };
}

/** The config a bot on this world uses: no MySQL user or password, only the role. */
export function vaultConfig(w: VaultWorld, vault: Partial<NonNullable<ConfigInput['vault']>> = {}): ConfigInput {
  return {
    mysql: { host: MYSQL_HOST, port: MYSQL_PORT, database: w.db.name, vault: { role: ROLE }, timeoutMs: 2000, poolSize: 4 },
    vault: { addr: w.vault.addr, token: w.token, retryMs: 50, timeoutMs: 2000, ...vault },
    status: { table: 'tasks', statusColumn: 'task_status' },
    access: {
      users: [
        { key: ADMIN, name: 'ada', roles: ['admin'] },
        { key: WRITER, name: 'wes', roles: ['writer'] },
      ],
    },
  };
}

export interface Bot {
  readonly app: App;
  say(key: string, line: string): Promise<Reply>;
  /** Stops once: a test may stop its bot itself, and the teardown again. */
  stop(): Promise<void>;
}

export async function startVaultBot(input: ConfigInput, log: Logger = pino({ level: process.env.TEST_LOG ?? 'silent' })): Promise<Bot> {
  const app = await buildApp(buildConfig(input, 'test'), { log });
  let stopped: Promise<void> | undefined;
  return {
    app,
    say: (key, line) => dispatchLine(app, key, line),
    stop: () => (stopped ??= app.stop()),
  };
}

/** MariaDB users holding a connection to this test's database right now. */
export async function connectedUsers(db: TestDatabase): Promise<string[]> {
  const rows = await db.sql<{ u: string }>('SELECT DISTINCT USER AS u FROM information_schema.PROCESSLIST WHERE DB = ? AND USER <> ?', [db.name, 'root']);
  return rows.map((r) => r.u).sort();
}

export interface VaultTests {
  /** This test's world; by default a lease of 60 s (at most 120 s), which no test here outlives. */
  world(ttl?: Ttl): Promise<VaultWorld>;
  /** A bot on `input`, stopped after the test. */
  bot(input: ConfigInput, log?: Logger): Promise<Bot>;
  /** `config` as a YAML file in a directory removed after the test. */
  configFile(config: unknown): string;
}

/** What each test of a file makes, torn down after it (afterEach): its bots first, then its world and files. */
export function vaultTests(): VaultTests {
  const bots: Bot[] = [];
  const worlds: VaultWorld[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const b of bots.splice(0)) await b.stop();
    for (const w of worlds.splice(0)) await w.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return {
    async world(ttl = { defaultTtlSec: 60, maxTtlSec: 120 }) {
      const w = await vaultWorld(ttl);
      worlds.push(w);
      return w;
    },
    async bot(input, log) {
      const b = await startVaultBot(input, log);
      bots.push(b);
      return b;
    },
    configFile(config) {
      const dir = mkdtempSync(join(tmpdir(), 'opsline-vault-'));
      dirs.push(dir);
      const file = join(dir, 'opsline.yaml');
      writeFileSync(file, stringify(config));
      return file;
    },
  };
}
