import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { Access, type AccessConfig } from '../core/access.js';
import type { Role } from '../words/roles.js';
import type { Approvals } from '../core/approve-step.js';
import { Confirmations } from '../core/confirmations.js';
import { GrantRoles } from '../core/grants/grant-roles.js';
import { LocalGrantVersion, type Grant, type GrantStore } from '../core/grants/types.js';
import { DiscordRoles, type MemberRoles } from '../core/roles/discord-roles.js';
import { SlackGroupRoles, type GroupMembers } from '../core/roles/slack-groups.js';
import type { RoleSource } from '../core/roles/types.js';
import type { Transports } from '../relay/transports.js';
import { RedisConfirmations } from '../services/redis-confirmations.js';
import { connectInvalidations, connectRedis } from '../redis/connect.js';
import { TrackedGrantVersion } from '../services/grant-version.js';

/** Builds the Slack user group lookup for a `slack` section (the Web API call lives with the Slack adapter). */
export type SlackGroupMembers = (cfg: NonNullable<Config['slack']>, log: Logger) => GroupMembers;
/** Discord's guild member lookup (src/adapters/discord/members.ts), for principals without member roles (the web). */
export type DiscordMemberRoles = (cfg: NonNullable<Config['discord']>, log: Logger) => MemberRoles;

export interface AccessParts {
  readonly access: Access;
  readonly grants: GrantRoles;
  /** The Slack user group role source in force (a reload may replace it). */
  readonly slackGroups: SlackGroupRoles | undefined;
  readonly approvals: Approvals;
  /**
   * Builds everything an `access` section gives (role sources, grant limit, approval TTL) without
   * changing anything; `commit` then swaps all of it in one synchronous step (SIGHUP).
   */
  prepare(next: Config['access'], list: AccessConfig): PreparedAccess;
  /** Starts the background refreshes (Slack groups, grant reloads and expiry timers). */
  start(): void;
  stop(): Promise<void>;
}

export interface PreparedAccess {
  /** What the operator should know (a role source that gives nothing here). */
  readonly warnings: readonly string[];
  commit(): void;
}

/**
 * Access and its role sources (docs/access.md): the allowlist, Slack user groups, Discord roles,
 * time-boxed grants; and the store of requests held for two-person approval.
 */
export function buildAccess(
  config: Config,
  store: GrantStore,
  transports: Transports,
  log: Logger,
  now: () => number,
  /** The allowlist as run (with schedule principals) and per-path extra roles (deploy targets' own). */
  allow: { readonly list: AccessConfig; readonly extra: ReadonlyMap<string, readonly Role[]> },
  /** Slack's user group lookup, from the adapters above (src/adapters/slack/usergroups.ts); without it the groups give no roles. */
  slackGroupMembers?: SlackGroupMembers,
  discordMemberRoles?: DiscordMemberRoles,
): AccessParts {
  const a = config.access;
  // The grant version is read before every decision: a Redis that does not answer leaves grants out
  // (GrantRoles fails closed and backs off) rather than holding every command.
  const redis = config.redis && connectRedis(config.redis, { role: 'access', profile: 'command', lazy: true });
  redis?.on('error', (err) => log.warn({ err }, 'redis error (access)'));
  const claim = expiryClaim(redis, config.redis?.prefix ?? 'opsline');
  // Kept in memory while Redis sends invalidations on a connection of its own (docs/architecture.md, "Grant versions").
  const tracked = redis && new TrackedGrantVersion(redis, connectInvalidations(config.redis!, 'grant-invalidations'), `${config.redis!.prefix}:grants:version`, log);
  const version = tracked ?? new LocalGrantVersion();
  const grants = new GrantRoles(store, version, a.grants.maxDuration, log, now, (g) => announceExpiry(g, transports, claim));
  const members = config.slack && slackGroupMembers?.(config.slack, log);
  const groupsKey = (x: Config['access']) => JSON.stringify([x.slackGroups, x.slackGroupsTtl]);
  // A reload that leaves the groups as they were keeps their fetched memberships.
  const groupsFor = (x: Config['access'], current: SlackGroupRoles | undefined, currentKey: string) =>
    !x.slackGroups.length || !members ? undefined : current && groupsKey(x) === currentKey ? current : new SlackGroupRoles(x.slackGroups, members, x.slackGroupsTtl, log, now);
  const warnings = (x: Config['access']) => (x.slackGroups.length && !config.slack ? ['access.slackGroups is set but there is no slack section: the groups give no roles'] : []);
  const memberRoles = config.discord && discordMemberRoles?.(config.discord, log);
  const sourcesOf = (x: Config['access'], groups: SlackGroupRoles | undefined): RoleSource[] => [grants, new DiscordRoles(x.discordRoles, memberRoles, now), ...(groups ? [groups] : [])];
  let slackGroups = groupsFor(a, undefined, '');
  let slackKey = groupsKey(a);
  for (const w of warnings(a)) log.warn(w);
  const access = new Access(allow.list, sourcesOf(a, slackGroups), allow.extra);
  // With Redis an approval may come through any replica, as a confirmation may.
  const approvalStore = redis
    ? new RedisConfirmations(config.redis!, config.redis!.prefix, log, now, a.approvalTtl, 'other')
    : new Confirmations(now, a.approvalTtl, 'other');
  let started = false;
  return {
    access,
    grants,
    get slackGroups() {
      return slackGroups;
    },
    approvals: { store: approvalStore },
    prepare(next, list) {
      const groups = groupsFor(next, slackGroups, slackKey);
      const sources = sourcesOf(next, groups);
      return {
        warnings: warnings(next),
        commit() {
          const old = slackGroups;
          access.reload(list, sources);
          grants.maxMs = next.grants.maxDuration;
          approvalStore.ttlMs = next.approvalTtl;
          slackGroups = groups;
          slackKey = groupsKey(next);
          if (old === groups) return;
          void old?.stop();
          if (started) groups?.start();
        },
      };
    },
    start() {
      started = true;
      grants.start();
      slackGroups?.start();
    },
    async stop() {
      started = false;
      try {
        await access.stop();
        if (approvalStore instanceof RedisConfirmations) await approvalStore.close();
      } finally {
        tracked?.close();
        redis?.disconnect();
      }
    },
  };
}

/** Announces an expiry once across replicas: with Redis the first replica to claim it posts. */
function expiryClaim(redis: Redis | undefined, prefix: string): (id: number) => Promise<boolean> {
  const posted = new Set<number>();
  return async (id) => {
    if (redis) return (await redis.set(`${prefix}:grant-expired:${id}`, '1', 'PX', 86_400_000, 'NX')) === 'OK';
    if (posted.has(id)) return false;
    posted.add(id);
    return true;
  };
}

async function announceExpiry(g: Grant, transports: Transports, claim: (id: number) => Promise<boolean>): Promise<void> {
  const ref = g.announce;
  const transport = ref && transports.get(ref.platform);
  // Only a process that can post where the grant was announced claims the line.
  if (!ref || !transport || !(await claim(g.id))) return;
  await transport.postReply(ref, `grant #${g.id} has expired: ${g.principalKey} no longer has the ${g.role} role`);
}
