import { randomInt } from 'node:crypto';
import type { Role } from '../words/roles.js';
import type { ArgSpec } from './arg-spec.js';
import type { Args, Invocation } from './define-command.js';

/** How long a confirmation stays valid. */
export const CONFIRM_TTL_MS = 60_000;
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A request held until its caller confirms it: the parsed invocation, not a closure, so it stays plain data. */
export interface Pending {
  readonly code: string;
  readonly principalKey: string;
  readonly path: string;
  readonly args: Args;
  readonly invocation: Invocation;
  readonly expiresAt: number;
  /** A two-person approval: the roles one of which the approver must hold. */
  readonly approvers?: readonly Role[];
  /**
   * The command's argument specs when the request was held (argsFingerprint): a reload that changes
   * them (a pattern, a choice, a type) leaves `args` checked against specs that are gone, so the
   * request runs nothing (docs/commands.md "Reload").
   */
  readonly specs: string;
}

export type Taken = { ok: true; pending: Pending } | { ok: false; reason: 'unknown' | 'expired' | 'foreign' | 'self'; owner?: string };

/**
 * Who may take a held request: its `owner` (a confirmation), or anyone `other` than the one who
 * asked (a two-person approval; the asker's own press is refused as `self`).
 */
export type TakeRule = 'owner' | 'other';

/**
 * Requests waiting for confirmation, by a short code. Only the principal who asked may confirm; a
 * press by anyone else leaves the request waiting, an expired one is gone.
 */
export interface ConfirmStore {
  readonly ttlMs: number;
  add(p: Omit<Pending, 'code' | 'expiresAt'>): Promise<Pending>;
  /** Takes the request for `principalKey`; it is used up only when the rule lets them and it is still valid. */
  take(code: string, principalKey: string): Promise<Taken>;
  /** The request, still valid, without taking it (an approver's roles are checked before the take). */
  peek(code: string): Promise<Pending | undefined>;
}

/** The argument specs as one string: a pattern by its source, so two loads of one config compare equal. */
export function argsFingerprint(args: readonly ArgSpec[]): string {
  return JSON.stringify(args, (_k, v: unknown) => (v instanceof RegExp ? v.toString() : v));
}

/** A fresh code: six characters nobody confuses when reading them aloud (no 0/O, 1/I). */
export function confirmCode(): string {
  return Array.from({ length: 6 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

/** In this process: the demo, a single replica, unit tests (see RedisConfirmations for several replicas). */
export class Confirmations implements ConfirmStore {
  readonly #byCode = new Map<string, Pending>();

  constructor(
    private readonly now: () => number = Date.now,
    /** Not readonly: a reload sets the approval TTL (access.approvalTtl) for requests held from then on. */
    public ttlMs = CONFIRM_TTL_MS,
    private readonly rule: TakeRule = 'owner',
  ) {}

  async add(p: Omit<Pending, 'code' | 'expiresAt'>): Promise<Pending> {
    this.#sweep();
    let code: string;
    do code = confirmCode();
    while (this.#byCode.has(code));
    const pending: Pending = { ...p, code, expiresAt: this.now() + this.ttlMs };
    this.#byCode.set(code, pending);
    return pending;
  }

  async take(code: string, principalKey: string): Promise<Taken> {
    const p = this.#byCode.get(code.toUpperCase());
    if (!p) return { ok: false, reason: 'unknown' };
    if (p.expiresAt <= this.now()) {
      this.#byCode.delete(p.code);
      return { ok: false, reason: 'expired' };
    }
    if (this.rule === 'owner' && p.principalKey !== principalKey) return { ok: false, reason: 'foreign', owner: p.invocation.principal.name };
    if (this.rule === 'other' && p.principalKey === principalKey) return { ok: false, reason: 'self', owner: p.invocation.principal.name };
    this.#byCode.delete(p.code);
    return { ok: true, pending: p };
  }

  async peek(code: string): Promise<Pending | undefined> {
    const p = this.#byCode.get(code.toUpperCase());
    return p && p.expiresAt > this.now() ? p : undefined;
  }

  #sweep(): void {
    const now = this.now();
    for (const [code, p] of this.#byCode) if (p.expiresAt <= now) this.#byCode.delete(code);
  }
}
