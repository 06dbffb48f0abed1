import { digestMilestone } from '../../src/jobs/progress.js';
import type { Target } from './fleet.js';

/** What one burn's thread showed, read off the platform double's record. */
export interface BurnTrace {
  readonly target: Target;
  /** Texts that landed in the thread (answered 2xx), oldest first. */
  readonly posts: readonly string[];
  /** When the "writing … to dN" milestone was first sent (even if answered 429): the burn is live from then. */
  readonly activeFrom: number | undefined;
  /** Edits of the live status message that landed, oldest first. */
  readonly edits: readonly { readonly at: number; readonly text: string }[];
}

/**
 * How many status edits a minute the budget lets the bot make: `perMinute` shared by every active
 * thread (Slack's chat.update per workspace, Discord's per bot), and at most `perThreadPerMinute` for
 * one thread (Discord's per channel; a thread is a channel). The lead aligns these with the
 * `slack.rateLimits` / `discord.rateLimits` defaults.
 */
export interface StatusBudget {
  readonly perMinute: number;
  readonly perThreadPerMinute?: number;
}

/** Transit and scheduling slack on top of what the budget and the edit interval allow. */
export const TRANSIT_SLACK_MS = 2_000;

/**
 * The oldest the live status may get: one edit per thread per `active × 60 000 / perMinute` ms (the
 * thread's share of the budget, or its own per-thread limit if that is tighter), plus the edit
 * interval and transit slack.
 */
export function allowedStatusAgeMs(active: number, budget: StatusBudget, editIntervalMs: number): number {
  const share = Math.ceil((Math.max(1, active) * 60_000) / budget.perMinute);
  const own = budget.perThreadPerMinute ? Math.ceil(60_000 / budget.perThreadPerMinute) : 0;
  return Math.max(share, own) + editIntervalMs + TRANSIT_SLACK_MS;
}

/** The thread has the requester's "finished ✔ (verified)" line and the digest of the burnt image. */
export function endedRight(t: BurnTrace, mention: string): boolean {
  const posts = t.posts.map(unescape);
  const final = `${mention} burn of ${t.target.image} on ${t.target.drive} finished ✔ (verified)`;
  return posts.includes(final) && posts.includes(digestMilestone(t.target.sha256, t.target.sha256));
}

/** Discord markdown escapes (`\_`) do not change what a person reads. */
function unescape(text: string): string {
  return text.replace(/\\([\\*_~|>`.#-])/g, '$1');
}

/** When the burn stopped being live: its final status (✔ or ✘) landed; undefined if it never did. */
function activeTo(t: BurnTrace): number | undefined {
  return t.edits.find((e) => t.activeFrom !== undefined && e.at >= t.activeFrom && /^[✔✘]/.test(e.text))?.at;
}

/** The longest the live status went without a landed edit while the burn was live (until `runEnd` if it never ended). */
export function longestStatusGapMs(t: BurnTrace, runEnd: number): number {
  if (t.activeFrom === undefined) return NaN;
  const end = activeTo(t) ?? runEnd;
  const points = [t.activeFrom, ...t.edits.map((e) => e.at).filter((at) => at > t.activeFrom! && at <= end)];
  if (points.at(-1) !== end) points.push(end);
  let gap = 0;
  for (let i = 1; i < points.length; i++) gap = Math.max(gap, points[i]! - points[i - 1]!);
  return gap;
}

/** The most burns live at once during this burn's live time. */
export function peakActive(t: BurnTrace, all: readonly BurnTrace[], runEnd: number): number {
  const span = (x: BurnTrace) => (x.activeFrom === undefined ? undefined : ([x.activeFrom, activeTo(x) ?? runEnd] as const));
  const own = span(t);
  if (!own) return 0;
  const spans = all.map(span).filter((s) => s !== undefined);
  const instants = spans.map((s) => s[0]).filter((at) => at >= own[0] && at <= own[1]);
  return Math.max(...[own[0], ...instants].map((at) => spans.filter((s) => s[0] <= at && at <= s[1]).length));
}

export interface StatusAge {
  readonly gapMs: number;
  readonly allowedMs: number;
  readonly image: string;
  readonly drive: string;
}

/** The burn whose status went stalest relative to what the budget allowed it. */
export function worstStatusAge(traces: readonly BurnTrace[], budget: StatusBudget, editIntervalMs: number, runEnd: number): StatusAge {
  let worst: StatusAge = { gapMs: NaN, allowedMs: NaN, image: '', drive: '' };
  for (const t of traces) {
    const gapMs = longestStatusGapMs(t, runEnd);
    const allowedMs = allowedStatusAgeMs(peakActive(t, traces, runEnd), budget, editIntervalMs);
    // A burn that never went live counts as infinitely stale.
    const ratio = Number.isNaN(gapMs) ? Infinity : gapMs / allowedMs;
    if (Number.isNaN(worst.gapMs) || ratio > worst.gapMs / worst.allowedMs) worst = { gapMs: Number.isNaN(gapMs) ? Infinity : gapMs, allowedMs, image: t.target.image, drive: t.target.drive };
  }
  return worst;
}
