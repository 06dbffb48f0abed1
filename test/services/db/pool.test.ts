import { describe, expect, it } from 'vitest';
import { ConfigError, buildConfig } from '../../../src/config/load.js';
import { poolSettings } from '../../../src/services/db/index.js';

const mysqlOf = (mysql: Record<string, unknown>) => buildConfig({ mysql }).mysql!;

describe('mysql connection settings', () => {
  it('reads a URL, decoding a percent-encoded password', () => {
    const s = poolSettings(mysqlOf({ url: 'mysql://opsline:p%40ss%3Aw%2Fd@db.internal:3307/opsline', timeoutMs: 1500, poolSize: 4 }));
    expect(s).toEqual({ host: 'db.internal', port: 3307, user: 'opsline', password: 'p@ss:w/d', database: 'opsline', timeoutMs: 1500, queueTimeoutMs: 30_000, poolSize: 4 });
  });

  it('reads separate fields, with defaults for port, timeout and pool size', () => {
    const s = poolSettings(mysqlOf({ host: '10.0.0.7', user: 'opsline', password: 'secret', database: 'opsline' }));
    expect(s).toEqual({ host: '10.0.0.7', port: 3306, user: 'opsline', password: 'secret', database: 'opsline', timeoutMs: 2000, queueTimeoutMs: 30_000, poolSize: 10 });
  });

  it('prefers migrateUrl when asked (opsline migrate)', () => {
    const m = mysqlOf({ url: 'mysql://bot@h/opsline', migrateUrl: 'mysql://admin:x@h/opsline' });
    expect(poolSettings(m, m.migrateUrl).user).toBe('admin');
  });

  it.each([
    [{ url: 'postgres://u@h/db' }, 'mysql.url'],
    [{ url: 'mysql://u@h/db', host: 'h' }, 'mysql.host'],
    [{ host: 'h' }, 'mysql: host needs user and database'],
    [{ host: 'h', user: 'u', database: 'bad-name' }, 'mysql.database'],
    [{ timeoutMs: 500 }, 'mysql: needs url'],
  ])('refuses %j at load time', (mysql, message) => {
    try {
      buildConfig({ mysql });
      expect.unreachable('config should have been refused');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.join('\n')).toContain(message);
    }
  });
});
