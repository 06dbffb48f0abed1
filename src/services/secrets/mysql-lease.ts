import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { fill, OPERATOR_ERRORS } from '../../core/error-catalogue.js';
import { OperatorError } from '../../core/errors.js';
import { createPool, Db, type Pool, type PoolSettings } from '../db/index.js';
import type { CredentialGuard } from '../db/db.js';
import type { DbLease, VaultClient } from './vault-client.js';
import { VaultError } from './vault-errors.js';

export interface MysqlLeaseOptions {
  readonly client: VaultClient;
  readonly mount: string;
  readonly role: string;
  /** Host, port, database, timeout and pool size; user and password come from Vault. */
  readonly settings: PoolSettings;
  readonly log: Logger;
  /** First wait before trying again to get credentials; doubles up to 30 s. */
  readonly retryMs: number;
  readonly connect?: (s: PoolSettings) => Pool;
}

/** What the lease keeps alive: the Db, or a declared `sql` command's source (docs/commands.md#sources). */
export interface LeasedPool {
  /** New statements go to `next` at once; resolves once those on the old pool are done and it is ended. */
  swap(next: Pool): Promise<number>;
  /** Fail statements at once with this reason until the next swap (`undefined` resumes). */
  suspend(reason: string | undefined): void;
}

const RENEW_AT = 2 / 3;
/** setTimeout fires at once for anything longer (and warns), so a very long TTL is renewed early instead. */
const MAX_DELAY = 2 ** 31 - 1;
const clampDelay = (ms: number) => Math.min(MAX_DELAY, Math.max(10, ms));
const REVOKED = 'the MySQL credentials were revoked or expired; waiting for new ones from Vault';

/**
 * Keeps the bot's MySQL login alive: renews the lease at two thirds of its TTL and, when renewal is
 * refused or the lease nears its max TTL, fetches new credentials and swaps the Db's pool (new pool
 * first, the old one drained, then its lease revoked). Emits 'renewed', 'rotating', 'rotated' and 'dead'.
 */
export class VaultMysqlCredentials extends EventEmitter implements CredentialGuard {
  #lease: DbLease | undefined;
  #db: LeasedPool | undefined;
  #timer: NodeJS.Timeout | undefined;
  #expiry: NodeJS.Timeout | undefined;
  #rotating: Promise<void> | undefined;
  #verifying: Promise<boolean> | undefined;
  #dead = false;
  #stopped = false;
  /** Cuts a retry wait short when the bot stops. */
  #wake: (() => void) | undefined;
  /** How many times new credentials replaced the first ones. */
  rotations = 0;

  constructor(private readonly o: MysqlLeaseOptions) {
    super();
  }

  /** The MySQL user the bot runs as now (a name, not a secret). */
  get username(): string | undefined {
    return this.#lease?.username;
  }

  /** Logs in, gets the first credentials and builds the Db on them. Fails with a VaultError naming the address. */
  start(): Promise<Db> {
    return this.startWith((pool) => {
      const db = new Db(pool, this.o.settings.timeoutMs, this.o.log, this.o.settings.queueTimeoutMs);
      db.guard = this;
      return db;
    });
  }

  /** As `start`, for any holder of a pool: `make` receives the pool on the first credentials. */
  async startWith<T extends LeasedPool>(make: (pool: Pool) => T): Promise<T> {
    await this.o.client.login();
    const lease = await this.o.client.dbCreds(this.o.mount, this.o.role);
    const held = make(this.#pool(lease));
    this.#db = held;
    this.#adopt(lease);
    this.o.log.info({ user: lease.username, leaseId: lease.id, ttlMs: lease.ttlMs }, 'mysql credentials issued by Vault');
    return held;
  }

  /** CredentialGuard: MySQL refused us; renewing tells whether the lease still exists. */
  verify(): Promise<boolean> {
    if (this.#dead) return Promise.resolve(false);
    // No caching beyond one call at a time: a revocation right after a good check must still be seen.
    if (this.#rotating) return Promise.resolve(true);
    this.#verifying ??= this.#renew().finally(() => (this.#verifying = undefined));
    return this.#verifying;
  }

  /** Fetches new credentials now and swaps the pool; concurrent calls share one rotation. */
  rotate(reason: string): Promise<void> {
    if (!this.#rotating) {
      this.emit('rotating', reason);
      this.#rotating = this.#rotate(reason).finally(() => (this.#rotating = undefined));
    }
    return this.#rotating;
  }

  /** Stops renewing and waits for a rotation under way; the pool stays usable until the Db is ended. */
  async halt(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    clearTimeout(this.#timer);
    clearTimeout(this.#expiry);
    await this.#rotating;
  }

  /** Revokes the bot's own lease (clean shutdown, after the pool is ended): its MySQL user disappears now, not at expiry. */
  async revoke(): Promise<void> {
    await this.halt();
    const lease = this.#lease;
    this.#lease = undefined;
    if (!lease || this.#dead) return;
    await this.o.client.revoke(lease.id).then(
      () => this.o.log.info({ user: lease.username, leaseId: lease.id }, 'mysql lease revoked at shutdown'),
      (err: unknown) => this.o.log.warn({ leaseId: lease.id, err: (err as Error).message }, 'could not revoke the mysql lease at shutdown'),
    );
  }

  #pool(lease: DbLease): Pool {
    return (this.o.connect ?? createPool)({ ...this.o.settings, user: lease.username, password: lease.password });
  }

  #adopt(lease: DbLease): void {
    this.#lease = lease;
    this.#dead = false;
    this.#plan(lease, lease.ttlMs, lease.renewable ? 'renew' : 'rotate');
  }

  /** Next step for `lease`: at 2/3 of what is left, renew it or (near its max TTL) replace it. */
  #plan(lease: DbLease, ttlMs: number, next: 'renew' | 'rotate'): void {
    clearTimeout(this.#timer);
    clearTimeout(this.#expiry);
    // A lease without a TTL never expires: nothing to plan.
    if (this.#stopped || ttlMs <= 0) return;
    const act = next === 'renew' ? () => void this.#renew() : () => void this.rotate('the lease is near its max TTL');
    this.#timer = setTimeout(act, clampDelay(ttlMs * RENEW_AT)).unref();
    // If nothing has replaced it by then, Vault drops the user: say so instead of letting MySQL refuse.
    // (A TTL beyond setTimeout's ~24.8-day limit is renewed long before its expiry timer could matter.)
    if (ttlMs <= MAX_DELAY) this.#expiry = setTimeout(() => this.#lease === lease && this.#die('the lease expired'), ttlMs).unref();
  }

  async #renew(): Promise<boolean> {
    const lease = this.#lease;
    if (!lease || this.#stopped) return !this.#dead;
    try {
      const r = await this.o.client.renew(lease.id);
      if (this.#lease !== lease) return true;
      // Vault caps a renewal at the role's max TTL: a shorter TTL than first granted means the end is near.
      const nearMax = !r.renewable || r.ttlMs < lease.ttlMs;
      this.#plan(lease, r.ttlMs, nearMax ? 'rotate' : 'renew');
      this.emit('renewed', { ttlMs: r.ttlMs, nearMax });
      this.o.log.debug({ leaseId: lease.id, ttlMs: r.ttlMs, nearMax }, 'mysql lease renewed');
      return true;
    } catch (err) {
      if (this.#lease !== lease) return true;
      const gone = err instanceof VaultError && err.leaseGone;
      this.o.log.warn({ leaseId: lease.id, err: (err as Error).message }, 'mysql lease renewal refused; rotating credentials');
      if (gone) this.#die((err as Error).message);
      else void this.rotate(`renewal failed: ${(err as Error).message}`);
      return !gone;
    }
  }

  #die(reason: string): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#db?.suspend(REVOKED);
    this.emit('dead', reason);
    this.o.log.warn({ reason }, 'mysql credentials are no longer valid; commands say the database is unavailable until new ones arrive');
    void this.rotate(reason);
  }

  async #rotate(reason: string): Promise<void> {
    for (let attempt = 0; !this.#stopped; attempt++) {
      try {
        await this.#replace(reason);
        return;
      } catch (err) {
        const wait = Math.min(this.o.retryMs * 2 ** attempt, 30_000);
        this.o.log.warn({ attempt: attempt + 1, retryInMs: wait, err: (err as Error).message }, 'could not get new mysql credentials from Vault');
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => resolve(), wait).unref();
          this.#wake = () => (clearTimeout(t), resolve());
        });
        this.#wake = undefined;
      }
    }
  }

  async #replace(reason: string): Promise<void> {
    const db = this.#db;
    if (!db) return;
    const lease = await this.o.client.dbCreds(this.o.mount, this.o.role);
    const pool = this.#pool(lease);
    try {
      // Prove the new login before any command depends on it.
      const conn = await pool.getConnection();
      await conn.ping().finally(() => conn.release());
    } catch (err) {
      await pool.end().catch(() => undefined);
      await this.o.client.revoke(lease.id).catch(() => undefined);
      throw new OperatorError('mysql_login_rejected', fill(OPERATOR_ERRORS.mysql_login_rejected.text, { user: lease.username, why: (err as Error).message }), { cause: err });
    }
    const old = this.#lease;
    const wasDead = this.#dead;
    this.#adopt(lease);
    const drained = await db.swap(pool);
    this.rotations++;
    this.o.log.info({ from: old?.username, to: lease.username, leaseId: lease.id, reason, drained }, 'mysql credentials rotated');
    this.emit('rotated', { from: old?.username, to: lease.username, drained });
    // The old user has no statement left: end it now rather than at its expiry.
    if (old && !wasDead) await this.o.client.revoke(old.id).catch((err: unknown) => this.o.log.warn({ leaseId: old.id, err: (err as Error).message }, 'could not revoke the old mysql lease'));
  }
}
