import { writeFile } from 'node:fs/promises';
import { failedRow, limitRow, type Bench, type Row } from './report.js';
import { discordScale } from './scale/discord-scale.js';
import { worstStatusAge, type StatusBudget } from './scale/measure.js';
import type { PlatformResult, ScaleOptions } from './scale/scenario.js';
import { slackScale } from './scale/slack-scale.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/** 5 agents × 4 pseudo-drives, one ISO of ~6 MB per agent at xorriso speed 100k: a burn writes for about a minute. */
const OPTIONS: ScaleOptions = {
  agents: env('OPSLINE_SCALE_AGENTS', 5),
  drivesPerAgent: env('OPSLINE_SCALE_DRIVES', 4),
  speed: process.env.OPSLINE_SCALE_SPEED ?? '100k',
  imageBytes: env('OPSLINE_SCALE_IMAGE_MB', 6) * 1024 * 1024,
  channels: env('OPSLINE_SCALE_CHANNELS', 1),
  timeoutMs: env('OPSLINE_SCALE_TIMEOUT_S', 300) * 1000,
};

/**
 * The budgets the live status is held to (docs/testing.md, "scale"): the defaults the bot's
 * `slack.rateLimits` and `discord.rateLimits` are meant to have, just under the published limits.
 */
export const STATUS_BUDGETS: Readonly<Record<'slack' | 'discord', StatusBudget>> = {
  // chat.update: 45 a minute per workspace, shared by every live thread.
  slack: { perMinute: env('OPSLINE_SCALE_SLACK_UPDATES_PER_MIN', 45) },
  // 40 requests a second per bot; a thread is a channel, with 4 messages per 5 s.
  discord: { perMinute: 40 * 60, perThreadPerMinute: 4 * 12 },
};

const MAX_429_SHARE = 0.02;

function rows(platform: 'slack' | 'discord', r: PlatformResult): Row[] {
  const burns = r.traces.length;
  const age = worstStatusAge(r.traces, STATUS_BUDGETS[platform], r.editIntervalMs, r.runEnd);
  const share = r.calls.total ? r.calls.limited / r.calls.total : NaN;
  return [
    limitRow(`${platform} scale: threads ended right (final + digest)`, r.ended, 'threads', burns, `all ${burns}`, (v) => v === burns),
    limitRow(`${platform} scale: calls answered 429`, share * 100, '%', MAX_429_SHARE * 100, `≤ ${MAX_429_SHARE * 100} % of ${r.calls.total} calls`, (v) => v <= MAX_429_SHARE * 100),
    limitRow(`${platform} scale: oldest live status of ${age.ran} burns that ran (${age.image} on ${age.drive})`, age.ageMs, 'ms', age.allowedMs, '≤ what the budget allows (the limit: a formula, docs/testing.md)', (_v, ratio) => ratio !== null && ratio <= 1),
    limitRow(`${platform} scale: worker peak RSS`, r.usage.peakRssMb, 'MB', 300, '< 300 MB', (v) => v < 300),
    limitRow(`${platform} scale: worker CPU, busiest 5 s`, r.usage.peakCores, 'cores', 1, '< 1 core', (v) => v < 1),
    limitRow(`${platform} scale: worker CPU, whole run`, r.usage.meanCores, 'cores', 1, '< 1 core', (v) => v < 1),
  ];
}

async function run(platform: 'slack' | 'discord', f: (o: ScaleOptions) => Promise<PlatformResult>): Promise<Row[]> {
  const t0 = Date.now();
  // One platform failing to run must not hide the other's numbers.
  const r = await f(OPTIONS).catch((err: unknown) => err as Error);
  if (r instanceof Error) return [failedRow(`${platform} scale`, r)];
  // Each thread's posts and status edits, for reading a miss in detail.
  const trace = process.env.OPSLINE_SCALE_TRACE;
  if (trace) await writeFile(`${trace}-${platform}.json`, JSON.stringify(r, null, 1));
  const note = r.refused.length ? `; ${r.refused.length} /burn not queued, e.g. ${r.refused[0]}` : '';
  process.stderr.write(`  ${platform}: ${r.traces.length} burns, burns ran ${(r.wallMs / 1000).toFixed(0)} s, whole part ${((Date.now() - t0) / 1000).toFixed(0)} s, ${r.calls.limited}/${r.calls.total} calls answered 429${note}\n`);
  return rows(platform, r);
}

export const scaleBench: Bench = {
  name: 'scale',
  description: `${OPTIONS.agents * OPTIONS.drivesPerAgent} burns at once (${OPTIONS.agents} agents × ${OPTIONS.drivesPerAgent} drives, one worker) into one Slack workspace, then one Discord guild, through doubles that enforce the published rate limits`,
  async run() {
    const only = process.env.OPSLINE_SCALE_ONLY;
    const out: Row[] = [];
    if (only !== 'discord') out.push(...(await run('slack', slackScale)));
    if (only !== 'slack') out.push(...(await run('discord', discordScale)));
    return out;
  },
};
