import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Role } from '../../words/roles.js';
import type { Principal } from '../principal.js';
import type { HeldRole, RoleSource } from './types.js';

export interface SlackGroupEntry {
  readonly team: string;
  readonly group: string;
  readonly roles: readonly Role[];
}

/** Asks Slack who is in a user group (usergroups.users.list); rejects when Slack cannot be asked. */
export type GroupMembers = (team: string, group: string) => Promise<readonly string[]>;

interface Known {
  readonly members: ReadonlySet<string>;
  readonly at: number;
}

/**
 * Roles from Slack user groups. Memberships are fetched in the background every ttl/2; a decision
 * uses what was fetched within the TTL. When Slack cannot be asked the last known membership holds
 * until it is a TTL old, and then counts for nothing (deny by default). A principal whose group
 * has no fresh membership waits for one fetch before the decision. Emits `refreshed` (entry, members).
 */
export class SlackGroupRoles extends EventEmitter implements RoleSource {
  readonly #known = new Map<string, Known>();
  readonly #inFlight = new Map<string, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly entries: readonly SlackGroupEntry[],
    private readonly fetch: GroupMembers,
    readonly ttlMs: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  /** Fetches every group now and then every ttl/2, so decisions rarely wait. */
  start(): void {
    void this.#refreshAll();
    this.#timer = setInterval(() => void this.#refreshAll(), Math.max(50, Math.floor(this.ttlMs / 2)));
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all(this.#inFlight.values());
  }

  rolesFor(p: Principal): readonly HeldRole[] {
    const [team, user] = slackIds(p.key);
    if (!team || !user) return [];
    const now = this.now();
    return this.entries
      .filter((e) => e.team === team && this.#fresh(e, now)?.members.has(user))
      .flatMap((e) => e.roles.map((role) => ({ role, source: `slack-group:${e.group}` })));
  }

  /** The roles of this principal's team's groups whose membership is not known within the TTL (Slack did not answer). */
  unchecked(p: Principal): readonly HeldRole[] {
    const [team, user] = slackIds(p.key);
    if (!team || !user) return [];
    const now = this.now();
    return this.entries.filter((e) => e.team === team && !this.#fresh(e, now)).flatMap((e) => e.roles.map((role) => ({ role, source: `slack-group:${e.group}` })));
  }

  async prepare(p: Principal): Promise<void> {
    const [team] = slackIds(p.key);
    if (!team) return;
    const now = this.now();
    await Promise.all(this.entries.filter((e) => e.team === team && !this.#fresh(e, now)).map((e) => this.#refresh(e)));
  }

  #fresh(e: SlackGroupEntry, now: number): Known | undefined {
    const k = this.#known.get(keyOf(e));
    return k && now - k.at <= this.ttlMs ? k : undefined;
  }

  async #refreshAll(): Promise<void> {
    await Promise.all(this.entries.map((e) => this.#refresh(e)));
  }

  /** One fetch per group at a time; a failure keeps the last known membership (it ages out by itself). */
  #refresh(e: SlackGroupEntry): Promise<void> {
    const key = keyOf(e);
    const running = this.#inFlight.get(key);
    if (running) return running;
    const asked = this.now();
    const p = this.fetch(e.team, e.group)
      .then((members) => {
        this.#known.set(key, { members: new Set(members), at: asked });
        this.emit('refreshed', e, members);
      })
      .catch((err: unknown) => {
        this.log.warn({ err, team: e.team, group: e.group }, 'slack user group membership not refreshed; the last known one holds until its TTL');
        this.emit('failed', e, err);
      })
      .finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, p);
    return p;
  }
}

function keyOf(e: SlackGroupEntry): string {
  return `${e.team}:${e.group}`;
}

function slackIds(key: string): [string | undefined, string | undefined] {
  const m = /^slack:([A-Z0-9]+):([A-Z0-9]+)$/.exec(key);
  return [m?.[1], m?.[2]];
}
