/** A duration as people type it: a whole number and a unit (ms, s, m, h, d). */
export const DURATION = /^([1-9]\d{0,5})(ms|s|m|h|d)$/;
const UNIT_MS = new Map([
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
]);

/** `30m` → 1 800 000; undefined for anything else. */
export function durationMs(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  return m ? Number(m[1]) * (UNIT_MS.get(m[2] ?? '') ?? 0) : undefined;
}

export function parseDuration(text: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new Error(`not a duration: ${text}`);
  return ms;
}

/** 5400000 → `1h 30m`; seconds only below a minute. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  const minutes = Math.round(ms / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : ''].filter(Boolean).join(' ') || '0m';
}
