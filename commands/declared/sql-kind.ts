import type { FieldPacket, RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';
import type { Args, CommandContext } from '../../src/core/define-command.js';
import { UserError } from '../../src/core/errors.js';
import { reply, type Reply } from '../../src/core/reply.js';
import { limitedCount } from '../../src/services/db/status-refresh.js';
import type { SqlCommand } from '../../src/config/commands.js';
import { SourceUnavailable, type Sources } from './sources.js';
import { renderTable } from './table.js';
import { REPLY_LIMIT } from './vars.js';

/** MariaDB's max_statement_time and MySQL's MAX_EXECUTION_TIME, when the query passes its limit. */
const TIMED_OUT = new Set([1969, 3024]);

/**
 * The statement sent: the configured query as a derived table under a row cap one over `maxRows` (to
 * say "more"), with the server-side time limit the status counts use (src/services/db/status-refresh.ts),
 * so an abandoned query does not keep running on the server.
 */
export function sqlText(c: SqlCommand, flavour: 'mariadb' | 'mysql'): string {
  const capped = `SELECT * FROM (${c.query.trim().replace(/;\s*$/, '')}) AS declared LIMIT ${c.maxRows + 1}`;
  return limitedCount(flavour, { name: c.name, sql: capped }, c.timeoutMs).sql;
}

/**
 * A `sql` declared command (docs/commands.md#sql): a read-only query on its own source, every
 * argument bound as a parameter (`:name`, sent with the statement, never in its text), refused
 * unless the source's user can only SELECT.
 */
export function sqlHandler(c: SqlCommand, sources: () => Sources, log: Logger): (ctx: CommandContext<Args>) => Promise<Reply> {
  return async (ctx) => {
    const source = sources().get(c.source);
    if (!source) throw new UserError('not_configured', `/${c.name}: no source named ${c.source}`);
    const grants = await source.grants().catch((err: unknown) => {
      if (err instanceof SourceUnavailable) throw unavailable(c, err);
      log.warn({ err, source: c.source }, 'declared sql: SHOW GRANTS failed');
      throw new UserError('unavailable', `/${c.name}: the data source ${c.source} cannot be reached`);
    });
    if (!grants.readOnly) {
      log.error({ source: c.source, reason: grants.reason }, 'declared sql: the source user is not read-only; refusing (opsline doctor)');
      throw new UserError('not_configured', `/${c.name}: the data source ${c.source} is not read-only (${grants.reason}); an admin must fix its grants`);
    }
    const params = new Map<string, string | number | boolean | null>();
    for (const a of c.args) params.set(a.name, Object.hasOwn(ctx.args, a.name) ? (ctx.args[a.name] ?? null) : null);
    params.set('user', ctx.invocation.principal.key);
    params.set('room', ctx.invocation.room);
    let rows: RowDataPacket[];
    let fields: FieldPacket[];
    try {
      const flavour = await source.flavour();
      // mysql2 reads named values from an object: a null-prototype one, filled from the Map.
      [rows, fields] = await source.use((pool) => pool.execute<RowDataPacket[]>({ sql: sqlText(c, flavour), rowsAsArray: true }, Object.assign(Object.create(null) as Record<string, string | number | boolean | null>, Object.fromEntries(params))));
    } catch (err) {
      if (err instanceof SourceUnavailable) throw unavailable(c, err);
      const errno = (err as { errno?: number }).errno;
      if (errno !== undefined && TIMED_OUT.has(errno)) throw new UserError('timeout', `/${c.name}: the query passed its time limit (${c.timeoutMs} ms) and was stopped on the server`);
      log.warn({ err, command: c.name, source: c.source }, 'declared sql command failed');
      throw new UserError('unavailable', `/${c.name}: the query failed on ${c.source}`);
    }
    const more = rows.length > c.maxRows;
    const shownRows = rows.slice(0, c.maxRows) as unknown as unknown[][];
    if (shownRows.length === 0) return reply(`/${c.name}: no rows`);
    const table = renderTable(fields.map((f) => f.name), shownRows, REPLY_LIMIT - 100);
    const cut = more || table.shown < shownRows.length;
    const head = `/${c.name}: ${table.shown} row${table.shown === 1 ? '' : 's'}${cut ? ` (more not shown; at most ${table.shown})` : ''}`;
    return reply(head, { pre: table.text });
  };
}

/** The source has no working login now (its Vault lease was revoked or expired): said as such, with the reason. */
function unavailable(c: SqlCommand, err: SourceUnavailable): UserError {
  return new UserError('unavailable', `/${c.name}: the data source ${c.source} is unavailable (${err.message})`);
}
