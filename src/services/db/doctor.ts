import { escapeId } from 'mysql2';
import type { RowDataPacket } from 'mysql2/promise';
import { pino } from 'pino';
import type { Config } from '../../config/schema.js';
import { CheckFailure, type Check } from '../../doctor/types.js';
import { VaultClient } from '../secrets/vault-client.js';
import { Db, statement } from './db.js';
import { errorCode } from './errors.js';
import { statusIndex } from './status-index.js';
import { createPool, poolSettings, type PoolSettings } from './pool.js';

const silent = pino({ level: 'silent' });
const PING = statement('doctor.ping', 'SELECT CURRENT_USER() AS user, VERSION() AS version');
const NOTES = statement('doctor.notes', 'SELECT COUNT(*) AS n FROM notes');
const AUDIT = statement('doctor.audit', 'SELECT COUNT(*) AS n FROM audit_log');

interface Row extends RowDataPacket {
  user?: string;
  version?: string;
  n?: number;
}

/** MySQL as the bot would use it: log in (from Vault when configured), its own tables, the status table. */
export function mysqlChecks(config: Config): Check[] {
  const mysql = config.mysql;
  if (!mysql) return [];
  const status = config.status;
  const target = address(mysql);
  const silentFix = `is MySQL running there, and may this host reach its port (firewall, bind-address)?${mysql.vault ? ' With mysql.vault, Vault issues the login first: see the vault line' : ''}`;
  return [
    {
      name: 'mysql',
      target,
      silentFix,
      run: () =>
        withDb(config, async (db, s) => {
          const [row] = await db.rows<Row>(PING);
          const notes = await count(db, NOTES, 'notes');
          const audit = await count(db, AUDIT, 'audit_log');
          return `${row?.user ?? s.user} on ${s.host}:${s.port}/${s.database ?? ''} (${row?.version ?? '?'}); ${notes} notes, ${audit} audit rows`;
        }),
    },
    ...(status
      ? [
          {
            name: 'status table',
            target,
            silentFix,
            run: () =>
              withDb(config, async (db) => {
                const st = statement('doctor.tasks', `SELECT COUNT(*) AS n FROM ${escapeId(status.table)}`);
                const n = await count(db, st, status.table);
                return `${status.table}: ${n} row${n === 1 ? "" : "s"}`;
              }),
          },
          {
            name: 'status index',
            target,
            silentFix,
            run: () =>
              withDb(config, async (db) => {
                const need = await statusIndex(db, status);
                const cols = `(${need.columns.join(', ')})`;
                if (need.has) return `${status.table} has ${need.has} on ${cols}: each refresh reads that index, not the table`;
                throw new CheckFailure(`${status.table} needs an index on ${cols}, or every refresh reads the whole table; as a user who may: ${need.create}`);
              }),
          },
        ]
      : []),
  ];
}

/** `host:port`, or undefined when the settings cannot be read (the mysql check then says why). */
function address(mysql: NonNullable<Config['mysql']>): string | undefined {
  try {
    const s = poolSettings(mysql);
    return `${s.host}:${s.port}`;
  } catch {
    return undefined;
  }
}

async function count(db: Db, st: ReturnType<typeof statement>, table: string): Promise<number> {
  try {
    return Number((await db.rows<Row>(st))[0]?.n ?? 0);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ER_NO_SUCH_TABLE') throw new CheckFailure(`table ${table} is missing (run opsline migrate)`, { cause: err });
    if (code === 'ER_TABLEACCESS_DENIED_ERROR') throw new CheckFailure(`no SELECT on ${table} for this user (see docs/security.md)`, { cause: err });
    throw err;
  }
}

/** A one-connection pool; with mysql.vault, a fresh lease that is revoked again afterwards. */
async function withDb<T>(config: Config, use: (db: Db, s: PoolSettings) => Promise<T>): Promise<T> {
  const mysql = config.mysql!;
  let settings = { ...poolSettings(mysql), poolSize: 1 };
  let revoke = async () => {};
  if (mysql.vault && config.vault) {
    const vault = new VaultClient(config.vault);
    await vault.login();
    const lease = await vault.dbCreds(mysql.vault.mount, mysql.vault.role);
    settings = { ...settings, user: lease.username, password: lease.password };
    revoke = () => vault.revoke(lease.id);
  }
  const db = new Db(createPool(settings), settings.timeoutMs, silent, settings.queueTimeoutMs);
  try {
    return await use(db, settings);
  } finally {
    await db.end();
    await revoke();
  }
}
