import type { Logger } from 'pino';
import type { Principal } from '../principal.js';
import type { HeldRole, RoleSource } from '../roles/types.js';
import type { Grant, GrantStore, GrantVersion } from './types.js';

/** setTimeout's limit; a grant further away is scheduled by a later reload. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Reloads anyway this often, so a replica that receives no commands still announces expiries. */
const RELOAD_MS = 30_000;
/** After a failed read, decisions skip the store this long: a MySQL outage must not slow every command down. */
const BACKOFF_MS = 5_000;

/** The source of a role that comes from a grant: `grant:<id>` (docs/access.md). */
export function isGrantSource(source: string): boolean {
  return source.startsWith('grant:');
}

/**
 * Roles from time-boxed grants. Before each decision the version counter is read (one Redis GET, or
 * none while Redis's invalidations vouch for the copy in memory: src/services/grant-version.ts);
 * when a replica wrote a grant or a revocation since, the active grants are reloaded from the store,
 * so a revoke counts on every replica from the next command on. If either cannot be read, grants
 * count for nothing until they can (deny by default). Each active grant has a timer that reports
 * its expiry once (`onExpired`).
 */
export class GrantRoles implements RoleSource {
  #grants: readonly Grant[] = [];
  #version: string | undefined;
  #readable = false;
  #failedAt = -Infinity;
  /** The refresh under way, and when it began: a decision may wait for it instead of reading again. */
  #inFlight: { readonly since: number; readonly done: Promise<void> } | undefined;
  readonly #timers = new Map<number, NodeJS.Timeout>();
  #reload: NodeJS.Timeout | undefined;

  constructor(
    readonly store: GrantStore,
    readonly version: GrantVersion,
    /** The longest grant `/access grant` accepts (access.grants.maxDuration); a reload sets it. */
    public maxMs: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly onExpired: (g: Grant) => Promise<void> = async () => {},
  ) {}

  start(): void {
    void this.refresh();
    this.#reload = setInterval(() => void this.refresh(true), RELOAD_MS);
    this.#reload.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#reload);
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  rolesFor(p: Principal): readonly HeldRole[] {
    if (!this.#readable) return [];
    const now = this.now();
    return this.#grants.filter((g) => g.principalKey === p.key && g.expiresAt.getTime() > now).map((g) => ({ role: g.role, source: `grant:${g.id}` }));
  }

  /**
   * Before a decision: reads the version (and reloads on a change). A read that began at or after
   * `since` (the command's arrival; default now) already sees every grant and revoke made before the
   * command came, so it is waited for instead of sending another: the Slack adapter starts one on
   * arrival, beside its dedup check, and the dispatcher's decision then costs no round trip of its own.
   */
  async prepare(_p?: Principal, since: number = this.now()): Promise<void> {
    if (this.now() - this.#failedAt < BACKOFF_MS) return;
    // The version the grants in memory were loaded at, vouched for without a round trip: nothing to do.
    if (this.#readable && this.#version !== undefined && this.version.peek?.() === this.#version) return;
    const current = this.#inFlight;
    if (current && current.since >= since) return current.done;
    const started = { since: this.now(), done: this.refresh() };
    this.#inFlight = started;
    try {
      await started.done;
    } finally {
      if (this.#inFlight === started) this.#inFlight = undefined;
    }
  }

  /** The active grants as of the last refresh (call refresh first for the newest). */
  active(): readonly Grant[] {
    const now = this.now();
    return this.#grants.filter((g) => g.expiresAt.getTime() > now);
  }

  /** After this process wrote a grant or a revoke: tell every replica, and reload here. */
  async changed(): Promise<void> {
    try {
      await this.version.bump();
    } catch (err) {
      this.log.warn({ err }, 'grant version not bumped; other replicas see the change at their next reload');
    }
    await this.refresh(true);
  }

  async refresh(force = false): Promise<void> {
    try {
      const version = await this.version.read();
      if (force || version !== this.#version) {
        this.#grants = await this.store.active(new Date(this.now()));
        this.#version = version;
        this.#schedule();
      }
      this.#readable = true;
      this.#failedAt = -Infinity;
    } catch (err) {
      this.#readable = false;
      this.#failedAt = this.now();
      this.#version = undefined;
      this.log.warn({ err }, 'grants could not be read; they count for nothing until they can');
    }
  }

  #schedule(): void {
    const ids = new Set(this.#grants.map((g) => g.id));
    for (const [id, t] of this.#timers) {
      if (ids.has(id)) continue;
      clearTimeout(t);
      this.#timers.delete(id);
    }
    for (const g of this.#grants) {
      const wait = g.expiresAt.getTime() - this.now();
      if (this.#timers.has(g.id) || wait > MAX_TIMER_MS) continue;
      const t = setTimeout(() => void this.#expired(g), Math.max(0, wait));
      t.unref();
      this.#timers.set(g.id, t);
    }
  }

  async #expired(g: Grant): Promise<void> {
    this.#timers.delete(g.id);
    try {
      // Revoked in the meantime (perhaps on another replica): nothing to announce.
      const before = await this.store.active(new Date(g.expiresAt.getTime() - 1));
      if (before.some((x) => x.id === g.id)) await this.onExpired(g);
    } catch (err) {
      this.log.warn({ err, grant: g.id }, 'grant expiry not announced');
    }
  }
}
