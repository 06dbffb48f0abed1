import { bar } from '../core/reply.js';
import type { Progress } from '../services/devices/types.js';

const MB = 1_000_000;

/** `writing ████████░░░░ 42% · 12.3/29.4 MB · 3.1 MB/s · ETA 0:06` */
export function renderProgress(p: Progress): string {
  const fraction = p.total > 0 ? p.bytes / p.total : 0;
  const pct = Math.floor(fraction * 100);
  const parts = [`${p.phase} ${bar(fraction, 20)} ${pct}%`, `${mb(p.bytes)}/${mb(p.total)} MB`];
  if (p.rate > 0) {
    parts.push(`${(p.rate / MB).toFixed(1)} MB/s`);
    parts.push(`ETA ${duration(Math.max(0, p.total - p.bytes) / p.rate)}`);
  }
  return parts.join(' · ');
}

function mb(bytes: number): string {
  return (bytes / MB).toFixed(1);
}

/** Seconds as `m:ss` or `h:mm:ss`. */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * Smooths the rate an agent reports (xorriso's reading jumps around) with an exponentially weighted
 * moving average, so speed and ETA move steadily; it starts over with each phase.
 */
export class RateSmoother {
  #phase: string | undefined;
  #rate = 0;

  constructor(private readonly alpha = 0.2) {}

  update(p: Progress): Progress {
    if (p.phase !== this.#phase || this.#rate === 0) {
      this.#phase = p.phase;
      this.#rate = p.rate;
    } else if (p.rate > 0) {
      this.#rate = this.alpha * p.rate + (1 - this.alpha) * this.#rate;
    }
    return { ...p, rate: this.#rate };
  }
}

/**
 * The verify milestone, short enough for an 80-column terminal under a thread mark: the digest on
 * its own line, and both only when they differ.
 */
export function digestMilestone(image: string | undefined, disc: string | undefined): string {
  if (image && image === disc) return `verified ✔ the disc matches the image\nsha256 ${image}`;
  return `verify ✘ the disc differs from the image\nimage ${image ?? '?'}\ndisc  ${disc ?? '?'}`;
}
