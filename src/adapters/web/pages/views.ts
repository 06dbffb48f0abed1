import type { AuditOutcome, StoredAuditRecord } from '../../../core/audit.js';
import type { StatusReport } from '../../../core/ports.js';
import type { WebSession } from '../../../services/web/index.js';
import { html, type Html } from '../html.js';
import { csrfField, layout, type Viewer } from '../layout.js';
import type { WebJob } from './jobs.js';
import type { JobLine } from '../../../services/job-log/types.js';

const when = (at: Date | number | string) => new Date(at).toISOString().slice(0, 19).replace('T', ' ') + ' UTC';

export function jobsPage(who: Viewer, jobs: readonly WebJob[], history: readonly WebJob[], note?: string): Html {
  const rows = jobs.map(
    (j) => html`<tr><td><a href="/web/jobs/${j.id}">${j.id}</a></td><td>${j.kind}</td><td>${j.state}</td><td>${j.summary}</td><td>${j.requester}</td><td>${when(j.requestedAt)}</td></tr>`,
  );
  const table = jobs.length
    ? html`<table><thead><tr><th scope="col">Job</th><th scope="col">Kind</th><th scope="col">State</th><th scope="col">Progress</th><th scope="col">For</th><th scope="col">Requested</th></tr></thead><tbody>${rows}</tbody></table>`
    : html`<p>No jobs queued or running.</p>`;
  const past = history.map(
    (j) => html`<tr><td><a href="/web/jobs/${j.id}">${j.id}</a></td><td>${j.kind}</td><td class="${j.ok ? 'ok' : 'bad'}">${outcomeText(j)}</td><td>${duration(j)}</td><td>${j.summary}</td><td>${j.requester}</td><td>${j.endedAt ? when(j.endedAt) : ''}</td></tr>`,
  );
  const done = history.length
    ? html`<table><thead><tr><th scope="col">Job</th><th scope="col">Kind</th><th scope="col">Outcome</th><th scope="col">Duration</th><th scope="col">Result</th><th scope="col">For</th><th scope="col">Ended</th></tr></thead><tbody>${past}</tbody></table>`
    : html`<p>No ended jobs kept.</p>`;
  return layout('Jobs', html`${note ? html`<p class="note">${note}</p>` : ''}<h2>Queued and running</h2>${table}<h2>History</h2>${done}`, who);
}

/** An ended job's outcome in words: from its record when it has one, else ok or not. */
function outcomeText(j: WebJob): string {
  if (j.outcome === 'not_queued') return 'not queued';
  if (j.outcome === 'lost') return 'worker lost';
  return j.outcome ?? (j.ok ? 'ok' : 'not ok');
}

/** How long a job ran, from the moment a worker took it to its end. */
function duration(j: WebJob): string {
  if (j.startedAt === undefined || j.endedAt === undefined) return '';
  const s = Math.max(0, Math.round((j.endedAt - j.startedAt) / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** A job's recorded lines (docs/web.md, "Job history and output"): one page of them, and whether more follow. */
export interface JobOutput {
  readonly lines: readonly JobLine[];
  readonly more: boolean;
}

export function jobPage(who: Viewer, j: WebJob, mayCancel: boolean, out: JobOutput, message?: string): Html {
  const ended = j.state === 'finished' || j.state === 'failed';
  const cancel = mayCancel && !ended
    ? html`<form method="post" action="/web/jobs/${j.id}/cancel">${csrfField(who)}<button type="submit">Cancel ${j.kind} ${j.id}</button></form>`
    : '';
  const numbered = out.lines.map((l) => html`<li value="${l.n}">${l.text}</li>`);
  const last = out.lines.at(-1)?.n ?? 0;
  const more = out.more ? html`<p><a href="/web/jobs/${j.id}?after=${last}">lines after ${last}</a></p>` : '';
  const head = html`${message ? html`<p role="status">${message}</p>` : ''}
<p>State: <span id="state">${j.state}</span> · for ${j.requester} · requested ${when(j.requestedAt)}</p>`;
  // An ended job's page is its durable record, whole and numbered; no live events are needed.
  if (ended)
    return layout(`${j.kind} ${j.id}`, html`${head}<h2>Milestones and output</h2>${out.lines.length ? html`<ol class="output" id="lines">${numbered}</ol>` : html`<p>No output was recorded.</p>`}${more}
<h2>Result</h2><p id="result">${j.summary}</p>`, who);
  // Recorded so far, then appended live (the `output` events, numbered as recorded); a page that shows
  // only the first of several pages of lines gets none appended (`data-paged`).
  const sofar = html`<h2>Output</h2><ol class="output" id="output" data-last="${last}"${out.more ? html` data-paged` : ''}>${numbered}</ol>${more}`;
  return layout(`${j.kind} ${j.id}`, html`${head}
<section id="live" data-events="/web/jobs/${j.id}/events" aria-live="polite">
<p class="banner" id="live-note" hidden></p>
<h2>Now</h2><div class="status" id="status">${j.summary}</div>
<h2>Milestones</h2><ol class="output" id="lines"></ol>
<h2>Result</h2><p id="result"></p></section>${sofar}
<p class="note">Once the job has ended, this page shows its whole output, numbered.</p>
${cancel}<script src="/web/static/live.js"></script>`, who);
}

export function statusPage(who: Viewer, reports: readonly StatusReport[], problem?: string, chart?: Html): Html {
  const body = problem
    ? html`<p class="bad">${problem}</p>`
    : reports.map(
        (r) => html`<h2>${r.window}</h2><table><thead><tr><th scope="col">Status</th><th scope="col">Count</th></tr></thead><tbody>${r.counts.map(
          (c) => html`<tr><td>${c.status}</td><td>${c.count}</td></tr>`,
        )}<tr><td><strong>total</strong></td><td><strong>${r.total}</strong></td></tr></tbody></table><p class="note">counted ${when(r.at)}</p>`,
      );
  return layout('Status', html`${body}${chart ?? ''}`, who);
}

export interface AuditFilter {
  readonly user?: string;
  readonly command?: string;
  readonly outcome?: AuditOutcome;
  readonly from?: string;
  readonly to?: string;
  readonly page: number;
}

export function auditPage(who: Viewer, f: AuditFilter, rows: readonly StoredAuditRecord[], more: boolean): Html {
  const q = (page: number) => `?${new URLSearchParams({ ...strip(f), page: String(page) }).toString()}`;
  const form = html`<form method="get" action="/web/audit">
<label>User <input name="user" value="${f.user ?? ''}"></label><label>Command <input name="command" value="${f.command ?? ''}"></label>
<label>Outcome <select name="outcome">${['', 'ok', 'error', 'refused', 'pending'].map((o) => html`<option value="${o}"${o === (f.outcome ?? '') ? html` selected` : ''}>${o || 'any'}</option>`)}</select></label>
<label>From <input type="datetime-local" name="from" value="${f.from ?? ''}"></label><label>To <input type="datetime-local" name="to" value="${f.to ?? ''}"></label>
<button type="submit">Filter</button></form>`;
  const table = html`<table><thead><tr><th scope="col">At</th><th scope="col">Who</th><th scope="col">Platform</th><th scope="col">Command</th><th scope="col">Decision</th><th scope="col">Outcome</th><th scope="col">Job</th><th scope="col">ms</th></tr></thead><tbody>${rows.map(
    (r) => html`<tr><td>${when(r.at)}</td><td>${r.principalKey}</td><td>${r.platform}</td><td>/${r.command}</td><td>${r.decision}</td><td>${r.outcome}${r.errorCode ? ` (${r.errorCode})` : ''}</td><td>${r.jobId ?? ''}</td><td>${r.durationMs}</td></tr>`,
  )}</tbody></table>`;
  const nav = html`<p>${f.page > 1 ? html`<a href="${q(f.page - 1)}">newer</a> ` : ''}page ${f.page}${more ? html` <a href="${q(f.page + 1)}">older</a>` : ''}</p>`
  const csv = `/web/audit.csv?${new URLSearchParams(strip(f)).toString()}`;
  return layout('Audit', html`${form}${rows.length ? table : html`<p>No rows match.</p>`}${nav}<p><a href="${csv}" download>Export these rows as CSV</a> (every page, at most 10,000 rows)</p>`, who);
}

function strip(f: AuditFilter): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['user', 'command', 'outcome', 'from', 'to'] as const) {
    const v = f[k];
    if (v) out[k] = v;
  }
  return out;
}

export function sessionsPage(who: Viewer, sessions: readonly WebSession[], current: string, admin: boolean): Html {
  const rows = sessions.map(
    (s) => html`<tr><td>${s.name} (${s.key})</td><td>${when(s.createdAt)}</td><td>${when(s.seenAt)}</td><td>${s.id === current ? 'this one' : ''}</td>
<td><form method="post" action="/web/sessions/end">${csrfField(who)}<input type="hidden" name="id" value="${s.id}"><button type="submit">End</button></form></td></tr>`,
  );
  return layout('Sessions', html`<p>${admin ? 'Every signed-in session (you are an admin).' : 'Your signed-in sessions.'}</p>
<table><thead><tr><th scope="col">Who</th><th scope="col">Signed in</th><th scope="col">Last used</th><th scope="col">Note</th><th scope="col">Action</th></tr></thead><tbody>${rows}</tbody></table>`, who);
}

export function messagePage(title: string, text: string, who?: Viewer): Html {
  return layout(title, html`<p>${text}</p>`, who);
}

export function signInPage(token: string, next: string, usable: boolean, csrf: string): Html {
  if (!usable) return layout('Sign in', html`<p>This sign-in link has been used or has expired. Type <code>/web</code> in chat for a new one.</p>`);
  return layout('Sign in', html`<p>This link signs you in to opsline's web view, once.</p>
<form method="post" action="/web/signin"><input type="hidden" name="t" value="${token}"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="next" value="${next}"><button type="submit">Continue</button></form>`);
}

/** A page opened without a session: how to sign in (a link from chat; OIDC when configured). */
export function notSignedInPage(oidcName?: string): Html {
  const oidc = oidcName ? html`<p><a class="button" href="/web/oidc/start">Sign in with ${oidcName}</a></p>` : '';
  return layout('Sign in', html`<p>You are not signed in. Type /web in chat (Slack, Discord or the console) for a one-time sign-in link; it brings you back to this page.</p>${oidc}`);
}

/** Loads the same URL again at once, without script (a meta refresh), for a link followed from another site. */
export function reloadPage(): Html {
  // The icon link too: without it a browser asks for /favicon.ico, which is not ours to serve (a 404).
  return html`<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0"><title>opsline</title><link rel="icon" href="/web/static/icon.svg" type="image/svg+xml"></head><body><p>Opening the page…</p></body></html>`;
}
