import { pino, type Logger } from 'pino';
import { buildConfig } from '../../../src/config/load.js';
import type { ConfigInput } from '../../../src/config/schema.js';
import type { Reply } from '../../../src/core/reply.js';
import { buildApp, type App } from '../../../src/main.js';
import { dispatchLine } from '../../helpers/command-line.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, type TestDatabase } from '../../helpers/mysql.js';
import { botPolicy, leastPrivilegeStatements, VaultDouble, type Rule } from '../../helpers/vault-double.js';

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

/** A fresh database with a tasks table, and a Vault double whose role issues users with the docs/security.md grants. */
export async function vaultWorld(ttl: { defaultTtlSec: number; maxTtlSec: number }): Promise<VaultWorld> {
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
  stop(): Promise<void>;
}

export async function startVaultBot(input: ConfigInput, log: Logger = pino({ level: process.env.TEST_LOG ?? 'silent' })): Promise<Bot> {
  const app = await buildApp(buildConfig(input, 'test'), { log });
  return {
    app,
    say: (key, line) => dispatchLine(app, key, line),
    stop: () => app.stop(),
  };
}

/** MariaDB users holding a connection to this test's database right now. */
export async function connectedUsers(db: TestDatabase): Promise<string[]> {
  const rows = await db.sql<{ u: string }>('SELECT DISTINCT USER AS u FROM information_schema.PROCESSLIST WHERE DB = ? AND USER <> ?', [db.name, 'root']);
  return rows.map((r) => r.u).sort();
}

export type { Rule };
