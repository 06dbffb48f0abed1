import type { Role } from '../../words/roles.js';
import type { ThreadRef } from '../thread.js';

/** A time-boxed role for one principal; `announce` is the channel message it was announced in. */
export interface Grant {
  readonly id: number;
  readonly principalKey: string;
  readonly role: Role;
  readonly expiresAt: Date;
  readonly grantedBy: string;
  readonly reason?: string;
  readonly announce?: ThreadRef;
  readonly createdAt: Date;
}

export type NewGrant = Omit<Grant, 'id' | 'createdAt'>;

export type RevokeResult = { ok: true; grant: Grant } | { ok: false; reason: 'unknown' | 'revoked' | 'expired' };

/**
 * Grants, append-only: a grant is one row and its revocation another, so the bot's database user
 * needs only SELECT and INSERT (docs/security.md).
 */
export interface GrantStore {
  /** False when grants live only in this process (no `mysql` section). */
  readonly durable: boolean;
  add(g: NewGrant): Promise<Grant>;
  revoke(id: number, by: string, now: Date): Promise<RevokeResult>;
  /** Grants neither revoked nor expired at `now`, oldest first. */
  active(now: Date): Promise<Grant[]>;
}

/**
 * A counter every replica reads before each decision and bumps after writing a grant or a revoke
 * (in Redis when there is one), so a change counts everywhere from the next command on.
 */
export interface GrantVersion {
  read(): Promise<string>;
  /**
   * The version without a round trip, when the store can vouch that it is current (Redis with
   * client-side caching, src/services/grant-version.ts); undefined means `read`.
   */
  peek?(): string | undefined;
  bump(): Promise<void>;
}

/** Without Redis: this process's own writes; other replicas' are picked up by the periodic reload. */
export class LocalGrantVersion implements GrantVersion {
  #n = 0;
  async read(): Promise<string> {
    return String(this.#n);
  }
  peek(): string {
    return String(this.#n);
  }
  async bump(): Promise<void> {
    this.#n++;
  }
}
