import { html, type Html, type HtmlValue } from './html.js';

export interface Viewer {
  readonly name: string;
  readonly key: string;
  /** The session's CSRF token, put in every form. */
  readonly csrf: string;
  /** Roles a source could not check on this request, as text: a banner on every page (docs/web.md). */
  readonly unchecked?: string;
}

/** One page: the header with the sections, who is signed in, and the content. */
export function layout(title: string, body: HtmlValue, who?: Viewer): Html {
  return html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · opsline</title><link rel="stylesheet" href="/web/static/app.css"><link rel="icon" href="/web/static/icon.svg" type="image/svg+xml"></head>
<body><header><strong>opsline</strong>${
    who
      ? html`<nav aria-label="sections"><a href="/web/jobs">Jobs</a> · <a href="/web/status">Status</a> · <a href="/web/notes">Notes</a> · <a href="/web/deploys">Deploys</a> · <a href="/web/schedules">Schedules</a> · <a href="/web/audit">Audit</a> · <a href="/web/sessions">Sessions</a></nav>
<span class="who">${who.name} (${who.key}) <form class="inline" method="post" action="/web/signout">${csrfField(who)}<button type="submit">Sign out</button></form></span>`
      : ''
  }</header>
<main>${who?.unchecked ? html`<p class="banner" role="alert">Some roles could not be checked now, so this page may offer less than you may do: ${who.unchecked}.</p>` : ''}<h1>${title}</h1>${body}</main></body></html>`;
}

export function csrfField(who: Viewer): Html {
  return html`<input type="hidden" name="csrf" value="${who.csrf}">`;
}
