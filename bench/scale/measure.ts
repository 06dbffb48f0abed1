import { digestMilestone } from '../../src/jobs/progress.js';
import type { Target } from './fleet.js';
import type { Timeline } from './progress-watch.js';

/** What one burn's thread showed, read off the platform double's record. */
export interface BurnTrace {
  readonly target: Target;
  /** Texts that landed in the thread (answered 2xx), oldest first. */
  readonly posts: readonly string[];
  /** Edits of the live status message that landed, oldest first. */
  readonly edits: readonly { readonly at: number; readonly text: string }[];
  /** What the agent reported, watched beside the worker (undefined for a burn that was never queued). */
  readonly timeline?: Timeline;
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

/** A status text's phase and the megabytes it shows (`writing ███ 15% · 1.0/6.7 MB · …`); final statuses (✔ ✘) show everything. */
function shown(text: string): { phase: string; mb: number } | 'final' | undefined {
  if (/^[✔✘]/.test(text)) return 'final';
  const m = /^(\w+) .*?(\d+\.\d)\/\d+\.\d MB/.exec(text);
  return m ? { phase: m[1]!, mb: Number(m[2]) } : undefined;
}

/**
 * How old the live status got: for each step the agent reported (and for its end), the time until an
 * edit showing that step or a later one landed. A step that no edit ever showed ages until `runEnd`.
 * Pseudo-drives report a step per MB written, so gaps between steps are the agent's, not chat's.
 */
export function statusAgeMs(t: BurnTrace, runEnd: number): number {
  const tl = t.timeline;
  if (!tl?.progress.length) return NaN;
  const phases = [...new Set(tl.progress.map((p) => p.phase))];
  const rank = (phase: string) => phases.indexOf(phase);
  const edits = t.edits.map((e) => ({ at: e.at, shows: shown(e.text) }));
  const landedBy = (covers: (s: NonNullable<ReturnType<typeof shown>>) => boolean) => Math.min(runEnd, ...edits.filter((e) => e.shows !== undefined && covers(e.shows)).map((e) => e.at));
  let age = 0;
  for (const p of tl.progress) {
    const mb = Number((p.bytes / 1e6).toFixed(1));
    const at = landedBy((s) => s === 'final' || rank(s.phase) > rank(p.phase) || (s.phase === p.phase && s.mb >= mb));
    age = Math.max(age, at - p.at);
  }
  if (tl.doneAt !== undefined) age = Math.max(age, landedBy((s) => s === 'final') - tl.doneAt);
  return age;
}

/** When the burn was live at its agent: first progress to its end (or `runEnd`). */
function liveSpan(t: BurnTrace, runEnd: number): readonly [number, number] | undefined {
  const first = t.timeline?.progress[0]?.at;
  return first === undefined ? undefined : [first, t.timeline?.doneAt ?? runEnd];
}

/** The most burns live at once during this burn's live time. */
export function peakActive(t: BurnTrace, all: readonly BurnTrace[], runEnd: number): number {
  const own = liveSpan(t, runEnd);
  if (!own) return 0;
  const spans = all.map((x) => liveSpan(x, runEnd)).filter((s) => s !== undefined);
  const instants = spans.map((s) => s[0]).filter((at) => at >= own[0] && at <= own[1]);
  return Math.max(...[own[0], ...instants].map((at) => spans.filter((s) => s[0] <= at && at <= s[1]).length));
}

export interface StatusAge {
  readonly ageMs: number;
  readonly allowedMs: number;
  readonly image: string;
  readonly drive: string;
  /** How many burns ran (and so were measured). */
  readonly ran: number;
}

/** Of the burns that ran, the one whose status got oldest relative to what the budget allowed it (NaN if none ran). */
export function worstStatusAge(traces: readonly BurnTrace[], budget: StatusBudget, editIntervalMs: number, runEnd: number): StatusAge {
  const ran = traces.filter((x) => x.timeline?.progress.length);
  let worst: StatusAge = { ageMs: NaN, allowedMs: NaN, image: '', drive: '', ran: ran.length };
  for (const t of ran) {
    const ageMs = statusAgeMs(t, runEnd);
    const allowedMs = allowedStatusAgeMs(peakActive(t, traces, runEnd), budget, editIntervalMs);
    if (Number.isNaN(worst.ageMs) || ageMs / allowedMs > worst.ageMs / worst.allowedMs) worst = { ageMs, allowedMs, image: t.target.image, drive: t.target.drive, ran: ran.length };
  }
  return worst;
}
