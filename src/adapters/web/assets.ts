/**
 * The web view's only stylesheet and script, served from the package under /web/static/ (no CDN; the
 * Content-Security-Policy allows nothing else). The script only follows a job page's live events (status,
 * milestones, numbered output lines, the final line) and writes them with textContent, never as markup.
 */
export const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#1f2a37;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#fff;text-decoration:none}header a:hover,header a:focus{text-decoration:underline}
header .who{margin-left:auto;font-size:.9em}
main{max-width:70rem;margin:1rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #dde1e6;vertical-align:top}
pre,ol.output{background:#fff;border:1px solid #dde1e6;padding:.5rem;overflow:auto;font:13px/1.4 ui-monospace,monospace}
ol.output{padding-left:3.5rem}ol.output li{white-space:pre-wrap}
.status{font:14px/1.4 ui-monospace,monospace;white-space:pre-wrap;background:#fff;border:1px solid #dde1e6;padding:.5rem}
.note{color:#5b6470}.bad{color:#a4000f}.ok{color:#0a6b2d}
.banner{border:2px solid #8a5a00;background:#fff4d6;color:#3d2a00;padding:.5em .75em}
a.button{display:inline-block;border:1px solid #30363d;padding:.3em .8em;border-radius:4px;text-decoration:none}
button{font:inherit;padding:.3rem .9rem}form.inline{display:inline}
label{margin-right:.6rem}input,select{font:inherit}
figure.chart{margin:0;background:#fff;border:1px solid #dde1e6;padding:.5rem}figure.chart>svg{max-width:48rem;display:block}ul.legend{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;padding:0;margin:.3rem 0}
`;

export const LIVE_SCRIPT = `'use strict';
(function () {
  var box = document.getElementById('live');
  if (!box || !window.EventSource) return;
  var status = document.getElementById('status');
  var lines = document.getElementById('lines');
  var result = document.getElementById('result');
  var state = document.getElementById('state');
  var es = new EventSource(box.getAttribute('data-events'));
  es.addEventListener('status', function (e) { status.textContent = JSON.parse(e.data).text; });
  es.addEventListener('line', function (e) {
    var li = document.createElement('li');
    li.textContent = JSON.parse(e.data).text;
    lines.appendChild(li);
  });
  // Output lines come numbered as recorded; those the page was served with are skipped.
  var output = document.getElementById('output');
  var last = output ? Number(output.getAttribute('data-last')) || 0 : 0;
  es.addEventListener('output', function (e) {
    if (!output || output.hasAttribute('data-paged')) return;
    JSON.parse(e.data).lines.forEach(function (l) {
      if (l.n <= last) return;
      last = l.n;
      var li = document.createElement('li');
      li.value = l.n;
      li.textContent = l.text;
      output.appendChild(li);
    });
  });
  var note = document.getElementById('live-note');
  es.addEventListener('unchecked', function (e) {
    if (!note) return;
    note.textContent = JSON.parse(e.data).text;
    note.hidden = false;
  });
  es.addEventListener('checked', function () {
    if (note) note.hidden = true;
  });
  es.addEventListener('final', function (e) {
    result.textContent = JSON.parse(e.data).text;
    if (state) state.textContent = 'ended';
    es.close();
  });
})();
`;

/** A favicon of our own, so a browser does not ask the server's root for one (a 404 in its console). */
export const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#1f2a37"/></svg>';
