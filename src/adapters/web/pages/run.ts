import { replyToText, type Reply } from '../../../core/reply.js';
import type { BoxResult } from '../command-box.js';
import { html, type Html } from '../html.js';
import { csrfField, layout, type Viewer } from '../layout.js';

/** A button that runs `line` through the box: a confirmation's Confirm, an approval's Approve. */
function lineButton(who: Viewer, line: string, label: string): Html {
  return html`<form class="inline" method="post" action="/web/run">${csrfField(who)}<input type="hidden" name="line" value="${line}"><button type="submit">${label}</button></form>`;
}

function answer(who: Viewer, r: Reply): Html {
  const confirm = r.confirm ? lineButton(who, `/confirm ${r.confirm.code}`, 'Confirm') : '';
  const approve = r.approve ? lineButton(who, `/approve ${r.approve.code}`, 'Approve') : '';
  return html`<pre class="reply">${replyToText(r)}</pre>${confirm}${approve}`;
}

/** The command box (docs/web.md, "Command box"): any command as typed in chat; replies as text. */
export function runPage(who: Viewer, result?: BoxResult): Html {
  const shown = result
    ? html`<section aria-labelledby="answer"><h2 id="answer">Answer to <code>${result.line}</code></h2><div role="status">${answer(who, result.reply)}${result.later ? answer(who, result.later) : ''}${
        result.jobId ? html`<p>Follow it on <a href="/web/jobs/${result.jobId}">job ${result.jobId}'s page</a>.</p>` : ''
      }</div></section>`
    : '';
  return layout('Run a command', html`<form method="post" action="/web/run">${csrfField(who)}<label for="line">Command, as in chat</label>
<input id="line" name="line" size="60" maxlength="2000" autocomplete="off" placeholder="/help" required> <button type="submit">Run</button></form>
<p class="note">It runs as you, with your roles, exactly as in chat; it is audited with platform web.</p>${shown}`, who);
}
