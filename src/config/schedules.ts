import { createRequire } from 'node:module';
import type * as Bullmq from 'bullmq';
import { z } from 'zod';
import { ROLES } from '../words/roles.js';
import { STATUS_WINDOWS } from '../core/ports.js';
import { COMMAND_LINE, PRINCIPAL_KEY, PRINCIPAL_KEY_HINT, SCHEDULE_NAME } from '../words/names.js';
import { duration, wordSchema } from './words.js';

/** Platforms a schedule, an alert or a job failure can post to. */
export const POST_PLATFORMS = ['slack', 'discord', 'console'] as const;
export type PostPlatform = (typeof POST_PLATFORMS)[number];

// `every`, in milliseconds: the one duration grammar (src/words/duration.ts), at least a second.
const every = duration(1000);

/** True when the time zone is one the runtime (and so the cron parser) knows. */
export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * BullMQ, loaded on the first cron expression checked: every command reads the config through this
 * file, and `opsline agent` (on a small device host) or `opsline keys` must not load the queue library. bullmq
 * has no `exports` map, so `import 'bullmq'` elsewhere resolves to this same CommonJS module.
 */
function bullmq(): typeof Bullmq {
  return createRequire(import.meta.url)('bullmq') as typeof Bullmq;
}

/**
 * Five fields (minute hour day month weekday), six with seconds first, or an @alias. The cron
 * parser BullMQ uses would read four fields as something else, so the count is checked here.
 */
export function cronProblem(pattern: string, tz: string): string | undefined {
  const fields = pattern.trim().split(/\s+/);
  if (!pattern.trim().startsWith('@') && (fields.length < 5 || fields.length > 6))
    return 'a cron expression has 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first';
  try {
    bullmq().defaultRepeatStrategy(Date.now(), { pattern, tz });
    return undefined;
  } catch (err) {
    return `not a valid cron expression: ${(err as Error).message}`;
  }
}

const name = wordSchema(SCHEDULE_NAME, 'lower-case letters, digits and -, at most 40 characters');
const timezone = z.string().refine(validTimeZone, 'an IANA time zone such as UTC or Europe/Berlin').default('UTC');
const principalKey = wordSchema(PRINCIPAL_KEY, PRINCIPAL_KEY_HINT);

export const postTarget = z.strictObject({
  platform: z.enum(POST_PLATFORMS),
  // Slack: a channel id (C…, G…); Discord: a channel id (digits); console: any label, shown in front of the post.
  channel: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'a channel id (letters, digits, _ and -)'),
});

export const scheduleEntry = z.strictObject({
  name,
  cron: z.string().min(1).max(100).optional(),
  every: every.optional(),
  timezone,
  command: wordSchema(COMMAND_LINE, 'a slash command line, e.g. /status today').max(500),
  post: postTarget,
  roles: z.array(z.enum(ROLES)).min(1).default(['viewer']),
});

export const alertEntry = z.strictObject({
  name,
  every: every.prefault('5m'),
  timezone,
  window: z.enum(STATUS_WINDOWS).default('today'),
  status: z.string().min(1).max(100).optional(),
  above: z.number().int().min(0).optional(),
  percentDoneBelow: z.number().min(0).max(100).optional(),
  after: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day, HH:MM (24-hour)').optional(),
  // An agent alert: posts when one of these device agents goes down and when it is back (docs/schedules.md).
  agents: z.array(z.string().min(1).max(64)).min(1).optional(),
  post: postTarget,
  mention: z.array(principalKey).default([]),
});

export const jobFailures = z.strictObject({
  post: postTarget,
  mention: z.array(principalKey).default([]),
  kinds: z.array(z.enum(['burn', 'deploy'])).min(1).default(['burn', 'deploy']),
});

export type ScheduleEntry = z.output<typeof scheduleEntry>;
export type AlertEntry = z.output<typeof alertEntry>;
export type JobFailuresConfig = z.output<typeof jobFailures>;
export type PostTarget = z.output<typeof postTarget>;

interface Shape {
  readonly status?: { readonly timeColumn?: string };
  readonly agents?: readonly { readonly name: string }[];
  readonly slack?: unknown;
  readonly discord?: unknown;
  readonly schedules?: readonly ScheduleEntry[];
  readonly alerts?: readonly AlertEntry[];
  readonly jobFailures?: JobFailuresConfig;
}

type Issue = (path: (string | number)[], message: string) => void;

/** Rules across keys for schedules, alerts and jobFailures; each issue names the key a user must change. */
export function checkSchedules(c: Shape, issue: Issue): void {
  const seen = new Map<string, string>();
  const posts: [(string | number)[], PostTarget, readonly string[]][] = [];
  c.schedules?.forEach((s, i) => {
    const at = ['schedules', i];
    if (!s.cron === !s.every) issue(at, 'give either cron or every');
    // The cron parser fails on a time zone it does not know, and the timezone key already says so.
    const problem = s.cron !== undefined && validTimeZone(s.timezone) ? cronProblem(s.cron, s.timezone) : undefined;
    if (problem) issue([...at, 'cron'], problem);
    posts.push([at, s.post, []]);
    unique(seen, s.name, `schedules.${i}`, [...at, 'name'], issue);
  });
  c.alerts?.forEach((a, i) => {
    const at = ['alerts', i];
    if (a.agents) agentAlertIssues(a, at, c, issue);
    else if (a.above === undefined && a.percentDoneBelow === undefined) issue(at, 'give above (with status) or percentDoneBelow, or both');
    if (a.above !== undefined && a.status === undefined) issue([...at, 'status'], 'required with above: the status whose count is watched');
    // An agent alert reads no status table.
    if (!a.agents && !c.status) issue(at, 'alerts watch the status table: add a status section');
    else if (!a.agents && a.window !== 'all' && !c.status?.timeColumn) issue([...at, 'window'], 'only all works without status.timeColumn');
    posts.push([at, a.post, a.mention]);
    unique(seen, a.name, `alerts.${i}`, [...at, 'name'], issue);
  });
  if (c.jobFailures) posts.push([['jobFailures'], c.jobFailures.post, c.jobFailures.mention]);
  for (const [at, post, mention] of posts) {
    if ((post.platform === 'slack' && !c.slack) || (post.platform === 'discord' && !c.discord))
      issue([...at, 'post', 'platform'], `${post.platform} is not configured (no ${post.platform} section)`);
    mention.forEach((key, j) => {
      if (post.platform !== 'console' && !key.startsWith(`${post.platform}:`))
        issue([...at, 'mention', j], `posts go to ${post.platform}: a ${key.split(':')[0]} user cannot be mentioned there`);
    });
  }
}

/** An agent alert names configured agents and no status condition. */
function agentAlertIssues(a: AlertEntry, at: (string | number)[], c: Shape, issue: Issue): void {
  const known = new Set((c.agents ?? []).map((x) => x.name));
  for (const key of ['status', 'above', 'percentDoneBelow', 'after'] as const)
    if (a[key] !== undefined) issue([...at, key], 'an agent alert (agents) takes no status condition; make it a separate alert');
  a.agents?.forEach((name, j) => {
    if (!known.has(name)) issue([...at, 'agents', j], `no agent named ${name} in agents`);
  });
}

function unique(seen: Map<string, string>, n: string, where: string, path: (string | number)[], issue: Issue): void {
  const first = seen.get(n);
  if (first) issue(path, `duplicate name ${n} (also ${first}); schedules and alerts share one list of names`);
  else seen.set(n, where);
}
