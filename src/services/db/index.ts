import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { buildStatus } from '../status-build.js';
import type { NotesRepository, StatusService } from '../../core/ports.js';
import type { StatusSnapshotRepository } from '../types.js';
import { MysqlAuditSink, type AuditSinkOptions } from './audit.js';
import { Db } from './db.js';
import { MysqlNotesRepository } from './notes.js';
import { createPool, poolSettings } from './pool.js';
import { MysqlTasksRepository } from './tasks.js';
import { MysqlStatusRefresher } from './status-refresh.js';
import { MysqlStatusSnapshots } from './status-snapshots.js';
import { MysqlJobLog } from './job-log.js';
import type { JobLog } from '../job-log/types.js';


/** `mysql.auditBeforeReply` as the sink reads it. */
const DURABLE = { all: true, none: false, changes: 'changes' } as const;
export { Db, statement, type Statement } from './db.js';
export { migrate, MIGRATIONS, type Migration, type MigrateResult } from './migrations.js';
export { createPool, poolSettings, type Pool, type PoolSettings } from './pool.js';
export { MysqlAuditSink } from './audit.js';
export { MysqlNotesRepository, MAX_SEARCH_WORDS } from './notes.js';
export { MysqlTasksRepository } from './tasks.js';
export { MysqlStatusSnapshots } from './status-snapshots.js';
export { MysqlJobLog } from './job-log.js';
export { MysqlStatusRefresher, limitedCount, flavourOf, type ServerFlavour } from './status-refresh.js';

export interface MysqlServices {
  readonly db: Db;
  readonly notes: NotesRepository;
  readonly audit: MysqlAuditSink;
  readonly status?: StatusService;
  /** Background counts as stored (`status.refreshMs` > 0): the web chart reads them. */
  readonly statusSnapshots?: StatusSnapshotRepository;
  /** Job history and output for the web view's job pages (docs/web.md). */
  readonly jobLog: JobLog;
  /** Writes the audit buffer, then closes the pool. */
  stop(): Promise<void>;
}

/**
 * Everything backed by MySQL, from config. Nothing connects here: the pool opens connections on
 * first use, so the bot starts (and answers "database unavailable") while MySQL is down.
 */
export function buildMysqlServices(config: Config, log: Logger, now: () => Date, auditOpts?: AuditSinkOptions, given?: Db): MysqlServices {
  if (!config.mysql) throw new Error('buildMysqlServices needs a mysql section');
  const dbLog = log.child({ component: 'mysql' });
  // `given`: a Db whose pool Vault's credentials rotate (src/services/secrets/).
  const db = given ?? newDb(config.mysql, dbLog);
  const audit = new MysqlAuditSink(db, dbLog, { durable: DURABLE[config.mysql.auditBeforeReply], ...auditOpts });
  const status = config.status && mysqlStatus(db, config.status, now, log);
  return {
    db,
    notes: new MysqlNotesRepository(db, now, config.mysql.saveDeadlineMs),
    audit,
    status: status?.service,
    statusSnapshots: status?.snapshots,
    jobLog: new MysqlJobLog(db),
    async stop() {
      await audit.flush();
      await db.end();
    },
  };
}

/** Background counts with `status.refreshMs` > 0, else a GROUP BY per answer (docs/configuration.md#status). */
function mysqlStatus(db: Db, status: NonNullable<Config['status']>, now: () => Date, log: Logger): { service: StatusService; snapshots?: StatusSnapshotRepository } {
  const tasks = new MysqlTasksRepository(db, status);
  return buildStatus(status, tasks, () => {
    const snapshots = new MysqlStatusSnapshots(db, status.app ?? status.table);
    return { snapshots, refresher: new MysqlStatusRefresher(db, tasks, snapshots) };
  }, now, log);
}

function newDb(mysql: NonNullable<Config['mysql']>, log: Logger): Db {
  const settings = poolSettings(mysql);
  return new Db(createPool(settings), settings.timeoutMs, log, settings.queueTimeoutMs);
}
