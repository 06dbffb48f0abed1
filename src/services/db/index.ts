import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { TaskStatusService } from '../status.js';
import type { NotesRepository, StatusService } from '../../core/ports.js';
import { MysqlAuditSink, type AuditSinkOptions } from './audit.js';
import { Db } from './db.js';
import { MysqlNotesRepository } from './notes.js';
import { createPool, poolSettings } from './pool.js';
import { MysqlTasksRepository } from './tasks.js';

export { Db, statement, type Statement } from './db.js';
export { migrate, MIGRATIONS, type Migration, type MigrateResult } from './migrations.js';
export { createPool, poolSettings, type Pool, type PoolSettings } from './pool.js';
export { MysqlAuditSink } from './audit.js';
export { MysqlNotesRepository, MAX_SEARCH_WORDS } from './notes.js';
export { MysqlTasksRepository } from './tasks.js';

export interface MysqlServices {
  readonly db: Db;
  readonly notes: NotesRepository;
  readonly audit: MysqlAuditSink;
  readonly status?: StatusService;
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
  const audit = new MysqlAuditSink(db, dbLog, auditOpts);
  const status = config.status
    ? new TaskStatusService(new MysqlTasksRepository(db, config.status), {
        statuses: config.status.statuses,
        doneStatuses: config.status.doneStatuses,
        cacheMs: config.status.cacheMs,
        now,
      })
    : undefined;
  return {
    db,
    notes: new MysqlNotesRepository(db, now, config.mysql.saveDeadlineMs),
    audit,
    status,
    async stop() {
      await audit.flush();
      await db.end();
    },
  };
}

function newDb(mysql: NonNullable<Config['mysql']>, log: Logger): Db {
  const settings = poolSettings(mysql);
  return new Db(createPool(settings), settings.timeoutMs, log, settings.queueTimeoutMs);
}
