import type { StatusWindow } from '../../../core/ports.js';
import type { StatusSnapshot } from '../../../services/types.js';
import { html, type Html } from '../html.js';

/** The chart's drawing area, in SVG units (the SVG scales to the page's width). */
export const CHART = { width: 720, height: 240, left: 48, right: 12, top: 12, bottom: 28 } as const;
/** At most this many statuses get a line; the table below the chart has them all. */
const MAX_LINES = 8;
// Distinct on white and for the common colour-vision deficiencies (the Okabe-Ito palette), plus two greys.
const COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#555555', '#000000'];

export interface ChartInput {
  readonly window: StatusWindow;
  readonly since: Date;
  readonly until: Date;
  readonly points: readonly StatusSnapshot[];
}

/** Where a count at a time is drawn: x from `since` to `until`, y from 0 (bottom) to `max` (top). */
export function plot(at: Date, count: number, c: { since: Date; until: Date; max: number }): { x: number; y: number } {
  const w = CHART.width - CHART.left - CHART.right;
  const h = CHART.height - CHART.top - CHART.bottom;
  const span = Math.max(1, c.until.getTime() - c.since.getTime());
  const x = CHART.left + (w * (at.getTime() - c.since.getTime())) / span;
  const y = CHART.top + h - (h * count) / Math.max(1, c.max);
  return { x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 };
}

const stamp = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

/**
 * The counts of one window over the last days as an SVG drawn here (docs/web.md, "Status"): one line per
 * status, a title and a description for screen readers, and the same numbers in a table below it.
 */
export function statusChart(c: ChartInput): Html {
  const statuses = statusesOf(c.points);
  if (c.points.length === 0 || statuses.length === 0)
    return html`<section aria-labelledby="chart-heading"><h2 id="chart-heading">Over the last days</h2><p class="note">No stored counts of ${c.window} since ${stamp(c.since)} UTC yet: they are written by the background count.</p></section>`;
  const max = Math.max(1, ...c.points.flatMap((p) => p.counts.map((x) => x.count)));
  const scale = { since: c.since, until: c.until, max };
  const drawn = statuses.slice(0, MAX_LINES);
  const countOf = (p: StatusSnapshot, s: string) => p.counts.find((x) => x.status === s)?.count ?? 0;
  const lines = drawn.map((s, i) => {
    const pts = c.points.map((p) => plot(p.at, countOf(p, s), scale));
    return html`<polyline class="series" data-status="${s}" fill="none" stroke="${COLOURS[i]}" stroke-width="2" points="${pts.map((p) => `${p.x},${p.y}`).join(' ')}"/>`;
  });
  const bottom = CHART.height - CHART.bottom;
  const axes = html`<line x1="${CHART.left}" y1="${bottom}" x2="${CHART.width - CHART.right}" y2="${bottom}" stroke="#5b6470"/><line x1="${CHART.left}" y1="${CHART.top}" x2="${CHART.left}" y2="${bottom}" stroke="#5b6470"/>
<text x="${CHART.left - 6}" y="${CHART.top + 4}" text-anchor="end" font-size="11" fill="#1b1f24">${max}</text><text x="${CHART.left - 6}" y="${bottom}" text-anchor="end" font-size="11" fill="#1b1f24">0</text>
<text x="${CHART.left}" y="${CHART.height - 8}" font-size="11" fill="#1b1f24">${stamp(c.since)}</text><text x="${CHART.width - CHART.right}" y="${CHART.height - 8}" text-anchor="end" font-size="11" fill="#1b1f24">${stamp(c.until)} UTC</text>`;
  const first = c.points[0]!;
  const last = c.points.at(-1)!;
  const desc = `${c.points.length} stored counts of the window ${c.window} from ${stamp(first.at)} to ${stamp(last.at)} UTC. Latest: ${drawn.map((s) => `${s} ${countOf(last, s)}`).join(', ')}. Highest count ${max}.`;
  const legend = html`<ul class="legend">${drawn.map((s, i) => html`<li><svg width="14" height="4" aria-hidden="true"><rect width="14" height="4" fill="${COLOURS[i]}"/></svg> ${s}</li>`)}</ul>`;
  const table = html`<details><summary>The chart's numbers as a table</summary><table><caption>Counts of ${c.window}, oldest first (UTC)</caption><thead><tr><th scope="col">At</th>${statuses.map((s) => html`<th scope="col">${s}</th>`)}</tr></thead><tbody>${c.points.map(
    (p) => html`<tr class="point"><td>${stamp(p.at)}</td>${statuses.map((s) => html`<td>${countOf(p, s)}</td>`)}</tr>`,
  )}</tbody></table></details>`;
  return html`<section aria-labelledby="chart-heading"><h2 id="chart-heading">Over the last days</h2><figure class="chart"><svg id="status-chart" role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 ${CHART.width} ${CHART.height}" width="100%" preserveAspectRatio="xMidYMid meet">
<title id="chart-title">Counts of ${c.window} per status over time</title><desc id="chart-desc">${desc}</desc>${axes}${lines}</svg>
<figcaption>${legend}${statuses.length > MAX_LINES ? html`<p class="note">The ${MAX_LINES} statuses with the highest counts are drawn; the table has all ${statuses.length}.</p>` : ''}</figcaption></figure>${table}</section>`;
}

/** Every status seen in the points, the highest counts first (a tie: by name). */
function statusesOf(points: readonly StatusSnapshot[]): string[] {
  const top = new Map<string, number>();
  for (const p of points) for (const c of p.counts) top.set(c.status, Math.max(top.get(c.status) ?? 0, c.count));
  return [...top].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([s]) => s);
}
