import type { RowDataPacket } from 'mysql2/promise';
import { threadRefSchema } from '../../core/thread.js';
import { ROLES } from '../../words/roles.js';
import type { Grant, GrantStore, NewGrant, RevokeResult } from '../../core/grants/types.js';
import { statement, type Db } from './db.js';

const COLUMNS = 'g.id, g.principal_key, g.role, g.expires_at, g.granted_by, g.reason, g.announce_json, g.created_at';
const ADD = statement(
  'grants.add',
  'INSERT INTO access_grants (principal_key, role, expires_at, granted_by, reason, announce_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
);
const ACTIVE = statement(
  'grants.active',
  `SELECT ${COLUMNS}, r.grant_id AS revoked FROM access_grants g LEFT JOIN access_revocations r ON r.grant_id = g.id
   WHERE r.grant_id IS NULL AND g.expires_at > ? ORDER BY g.id`,
);
const ONE = statement('grants.one', `SELECT ${COLUMNS}, r.grant_id AS revoked FROM access_grants g LEFT JOIN access_revocations r ON r.grant_id = g.id WHERE g.id = ?`);
// INSERT IGNORE against the unique grant_id: of two revokes racing, one row lands and the other sees it.
const REVOKE = statement('grants.revoke', 'INSERT IGNORE INTO access_revocations (grant_id, revoked_by, created_at) VALUES (?, ?, ?)');

interface GrantRow extends RowDataPacket {
  id: number | string;
  principal_key: string;
  role: string;
  expires_at: Date;
  granted_by: string;
  reason: string | null;
  announce_json: string | null;
  created_at: Date;
  revoked: number | string | null;
}

// A grant's announcement thread, read back as every stored ThreadRef is (src/core/thread.ts).
const announce = threadRefSchema;

/** Grants in `access_grants`, revocations in `access_revocations`: INSERT and SELECT only. */
export class MysqlGrantStore implements GrantStore {
  readonly durable = true;

  constructor(private readonly db: Db) {}

  async add(g: NewGrant): Promise<Grant> {
    const createdAt = new Date();
    const r = await this.db.exec(ADD, [g.principalKey, g.role, g.expiresAt, g.grantedBy, g.reason ?? null, g.announce ? JSON.stringify(g.announce) : null, createdAt]);
    return { ...g, id: r.insertId, createdAt };
  }

  async revoke(id: number, by: string, now: Date): Promise<RevokeResult> {
    const [row] = await this.db.rows<GrantRow>(ONE, [id]);
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.revoked !== null) return { ok: false, reason: 'revoked' };
    const grant = toGrant(row);
    if (!grant) return { ok: false, reason: 'unknown' };
    if (grant.expiresAt <= now) return { ok: false, reason: 'expired' };
    const r = await this.db.exec(REVOKE, [id, by, now]);
    return r.affectedRows === 1 ? { ok: true, grant } : { ok: false, reason: 'revoked' };
  }

  async active(now: Date): Promise<Grant[]> {
    // A row with a role this version does not know gives nothing (deny by default).
    return (await this.db.rows<GrantRow>(ACTIVE, [now])).map(toGrant).filter((g): g is Grant => g !== undefined);
  }
}

function toGrant(r: GrantRow): Grant | undefined {
  const role = ROLES.find((x) => x === r.role);
  if (!role) return undefined;
  const ref = r.announce_json ? announce.safeParse(safeJson(r.announce_json)) : undefined;
  return {
    id: Number(r.id),
    principalKey: r.principal_key,
    role,
    expiresAt: r.expires_at,
    grantedBy: r.granted_by,
    reason: r.reason ?? undefined,
    announce: ref?.success ? ref.data : undefined,
    createdAt: r.created_at,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
