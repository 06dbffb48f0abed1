import type { Note } from '../../../core/ports.js';
import type { ScheduleRow } from '../../../schedules/setup.js';
import type { TargetState } from '../../../services/deploy/service.js';
import { html, type Html } from '../html.js';
import { csrfField, layout, type Viewer } from '../layout.js';

const when = (at: Date | string) => `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** What the notes page offers: the list and search need /note list or search; the form /note add. */
export interface NotesOffer {
  readonly list: boolean;
  readonly search: boolean;
  readonly add: boolean;
}

export function notesPage(who: Viewer, offer: NotesOffer, notes: readonly Note[], q: string, message?: { text: string; ok: boolean }): Html {
  const said = message ? html`<p role="status" class="${message.ok ? 'ok' : 'bad'}">${message.text}</p>` : '';
  const add = offer.add
    ? html`<form method="post" action="/web/notes">${csrfField(who)}<label for="note-text">New note</label><br><textarea id="note-text" name="text" rows="3" cols="60" maxlength="2000" required></textarea><br><button type="submit">Add note</button></form>`
    : '';
  const search = offer.search
    ? html`<form method="get" action="/web/notes" role="search"><label>Words <input name="q" value="${q}" maxlength="200"></label><button type="submit">Search</button>${q ? html` <a href="/web/notes">all notes</a>` : ''}</form>`
    : '';
  const shown = offer.list || (offer.search && q);
  const list = !shown
    ? ''
    : notes.length
      ? html`<table><thead><tr><th scope="col">#</th><th scope="col">By</th><th scope="col">When</th><th scope="col">Where</th><th scope="col">Note</th></tr></thead><tbody>${notes.map(
          (n) => html`<tr><td>${n.id}</td><td>${n.authorName}</td><td>${when(n.createdAt)}</td><td>${n.platform}</td><td class="note-body">${n.body}</td></tr>`,
        )}</tbody></table>`
      : html`<p>${q ? 'No notes match.' : 'No notes yet.'}</p>`;
  return layout('Notes', html`${said}${add}${search}<h2>${q ? `Notes with: ${q}` : 'Newest notes'}</h2>${list}`, who);
}

/** Targets, who holds each lock, the last deploy; `mayDeploy` says for each whether the viewer may deploy it. */
export function deploysPage(who: Viewer, states: readonly TargetState[], mayDeploy: (s: TargetState) => boolean, note?: string): Html {
  if (note) return layout('Deploys', html`<p class="note">${note}</p>`, who);
  const rows = states.map((s) => {
    const t = s.target;
    const what = t.kind === 'webhook' ? 'webhook' : `${t.command ?? ''} on ${t.agent ?? ''}`;
    const lock = s.lock
      ? html`locked by ${s.lock.by.name} since ${when(s.lock.since)}${s.lock.reason ? ` (${s.lock.reason})` : ''}${s.lock.jobId ? html` · <a href="/web/jobs/${s.lock.jobId}">${s.lock.jobId}</a>` : ''}`
      : 'unlocked';
    const last = s.last
      ? html`<a href="/web/jobs/${s.last.jobId}">${s.last.ref}</a> by ${s.last.by.name}, ${when(s.last.at)}: <span class="${s.last.outcome === 'ok' ? 'ok' : 'bad'}">${s.last.outcome}</span> ${s.last.summary}`
      : 'never deployed here';
    return html`<tr><td>${t.name}</td><td>${what}${t.confirm ? ', asks to confirm' : ''}</td><td>${(t.roles ?? ['deployer']).join(', ')}</td><td>${mayDeploy(s) ? 'yes' : 'no'}</td><td>${lock}</td><td>${last}</td></tr>`;
  });
  const table = states.length
    ? html`<table><thead><tr><th scope="col">Target</th><th scope="col">What</th><th scope="col">Roles</th><th scope="col">You may deploy</th><th scope="col">Lock</th><th scope="col">Last deploy</th></tr></thead><tbody>${rows}</tbody></table>`
    : html`<p>No deploy targets are configured.</p>`;
  return layout('Deploys', html`${table}<p class="note">Deploy, lock and unlock with <code>/deploy</code> in chat.</p>`, who);
}

export function schedulesPage(who: Viewer, rows: readonly ScheduleRow[]): Html {
  const table = rows.length
    ? html`<table><thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">When</th><th scope="col">Posts to</th><th scope="col">Next run</th><th scope="col">Last run</th></tr></thead><tbody>${rows.map(
        (r) => html`<tr><td>${r.name}</td><td>${r.kind}</td><td>${r.when}</td><td>${r.post}</td><td>${r.next ? when(r.next) : 'unknown'}</td><td>${
          r.last ? html`${when(r.last.at)}: ${r.last.outcome}${r.last.late ? ' (late)' : ''}` : 'not yet'
        }</td></tr>`,
      )}</tbody></table>`
    : html`<p>No schedules or alerts are configured (see docs/schedules.md).</p>`;
  return layout('Schedules', html`<p class="note">Times in UTC.</p>${table}`, who);
}
