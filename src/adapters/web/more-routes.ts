import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { App } from '../../app/main.js';
import type { Principal } from '../../core/principal.js';
import { replyToText } from '../../core/reply.js';
import type { ThreadStarter } from '../../core/thread.js';
import { tokenize } from '../../core/tokenize.js';
import type { DispatchFn } from '../types.js';
import type { Signed } from './gate.js';
import type { Viewer } from './layout.js';
import { auditCsv } from './pages/audit-csv.js';
import { auditFilter } from './pages/audit-query.js';
import { deploysPage, notesPage, schedulesPage } from './pages/more-views.js';
import { messagePage } from './pages/views.js';
import { SECURITY_HEADERS, sendHtml } from './respond.js';

const noThreads: ThreadStarter = { startThread: () => Promise.reject(new Error('threads are not available on the web yet')) };
/** As /note search: the statement has a fixed number of word slots. */
const MAX_WORDS = 8;
const NOTES_SHOWN = 50;

export interface MorePagesDeps {
  readonly app: App;
  readonly log: Logger;
  /** True when the principal may run `path` as chat would let them (/help's rule). */
  readonly may: (p: Principal, path: string) => boolean;
  readonly dispatch: () => DispatchFn | undefined;
}

/**
 * The notes, deploys and schedules pages and the audit export (docs/web.md, "Pages"). Each shows only
 * what the principal's roles allow, by the same rule as /help; adding a note runs `/note add` through
 * the dispatcher, so it is checked and audited as in chat (platform `web`).
 */
export class MorePages {
  constructor(private readonly d: MorePagesDeps) {}

  /** Answers a GET it serves; false for a path that is not its own. */
  async get(res: ServerResponse, s: Signed, who: Viewer, path: string, url: URL): Promise<boolean> {
    if (path === '/web/notes') await this.#notes(res, s, who, url.searchParams.get('q') ?? '');
    else if (path === '/web/deploys') await this.#deploys(res, s, who);
    else if (path === '/web/schedules') await this.#schedules(res, s, who);
    else if (path === '/web/audit.csv') await this.#auditCsv(res, s, who, url);
    else return false;
    return true;
  }

  async post(res: ServerResponse, s: Signed, who: Viewer, path: string, form: URLSearchParams): Promise<boolean> {
    if (path !== '/web/notes') return false;
    await this.#addNote(res, s, who, form.get('text') ?? '');
    return true;
  }

  /** A page the principal's roles do not allow, refused with a 403 and one audit row (`deny`). */
  refuseAudited(res: ServerResponse, s: Signed, who: Viewer, path: string): void {
    this.d.app.services.audit.write({ at: new Date(), invocationId: randomUUID(), principalKey: s.principal.key, platform: 'web', room: 'web', command: path, argsJson: '{}', decision: 'deny', outcome: 'refused', errorCode: 'denied', durationMs: 0 });
    sendHtml(res, 403, messagePage('Refused', `Your roles do not allow /${path}.`, who));
  }

  #offer(p: Principal) {
    return { list: this.d.may(p, 'note list'), search: this.d.may(p, 'note search'), add: this.d.may(p, 'note add') };
  }

  async #notes(res: ServerResponse, s: Signed, who: Viewer, q: string, message?: { text: string; ok: boolean }, status = 200): Promise<void> {
    const offer = this.#offer(s.principal);
    if (!offer.list && !offer.search && !offer.add) return sendHtml(res, 403, messagePage('Refused', 'Your roles do not allow /note.', who));
    const notes = this.d.app.services.notes;
    const words = tokenize(q.slice(0, 200)).map((t) => t.value).filter(Boolean);
    if (words.length > MAX_WORDS) return sendHtml(res, 400, notesPage(who, offer, [], q, { text: `Search takes at most ${MAX_WORDS} words.`, ok: false }));
    const query = words.length > 0 && offer.search ? q : '';
    let list: Awaited<ReturnType<typeof notes.list>> = [];
    try {
      if (query) list = await notes.search(words, NOTES_SHOWN);
      else if (offer.list) list = await notes.list(NOTES_SHOWN);
    } catch (err) {
      this.d.log.debug({ err }, 'web notes failed');
      return sendHtml(res, 503, notesPage(who, offer, [], query, { text: 'The notes cannot be read now.', ok: false }));
    }
    sendHtml(res, status, notesPage(who, offer, list, query, message));
  }

  /** `/note add <text>` through the dispatcher, as typed in chat: the same roles and checks, one audit row. */
  async #addNote(res: ServerResponse, s: Signed, who: Viewer, text: string): Promise<void> {
    const dispatch = this.d.dispatch();
    if (!dispatch) return sendHtml(res, 503, messagePage('Unavailable', 'The web view is not taking commands now; nothing was done.', who));
    const inv = { id: randomUUID(), platform: 'web', principal: s.principal, room: 'web', command: 'note', text: `add ${text}`, receivedAt: new Date() };
    const reply = await dispatch(inv, noThreads);
    const status = reply.code === undefined ? 200 : reply.code === 'denied' ? 403 : reply.code === 'unavailable' || reply.code === 'internal' ? 503 : 400;
    await this.#notes(res, s, who, '', { text: replyToText(reply), ok: reply.code === undefined }, status);
  }

  async #deploys(res: ServerResponse, s: Signed, who: Viewer): Promise<void> {
    if (!this.d.may(s.principal, 'deploy list')) return sendHtml(res, 403, messagePage('Refused', 'Your roles do not allow /deploy list.', who));
    const deploys = this.d.app.services.deploys;
    if (!deploys) return sendHtml(res, 200, deploysPage(who, [], () => false, 'No deploy targets are configured here.'));
    const roles = this.d.app.access.rolesOf(s.principal);
    try {
      sendHtml(res, 200, deploysPage(who, await deploys.states(), (t) => deploys.mayDeploy(t.target, roles) && this.d.may(s.principal, 'deploy run')));
    } catch (err) {
      this.d.log.debug({ err }, 'web deploys failed');
      sendHtml(res, 503, deploysPage(who, [], () => false, 'The locks and last deploys cannot be read now.'));
    }
  }

  async #schedules(res: ServerResponse, s: Signed, who: Viewer): Promise<void> {
    if (!this.d.may(s.principal, 'schedule list')) return sendHtml(res, 403, messagePage('Refused', 'Your roles do not allow /schedule list.', who));
    sendHtml(res, 200, schedulesPage(who, (await this.d.app.services.schedules?.list()) ?? []));
  }

  /** The filtered audit trail as CSV: admin only, as the page; the export itself is one audit row. */
  async #auditCsv(res: ServerResponse, s: Signed, who: Viewer, url: URL): Promise<void> {
    if (!this.d.may(s.principal, 'audit')) return this.refuseAudited(res, s, who, 'audit');
    const f = auditFilter(url.searchParams);
    if (!f) return sendHtml(res, 400, messagePage('Bad filter', 'The filter does not fit (times as 2026-12-05T18:00, outcome one of ok, error, refused, pending).', who));
    const { audit } = this.d.app.services;
    const started = Date.now();
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="opsline-audit.csv"' });
    const cut = { more: false };
    let rows = -1;
    let failed = false;
    try {
      for await (const line of auditCsv(audit, f, cut)) {
        rows++;
        if (!res.write(line)) await new Promise((r) => res.once('drain', r));
      }
    } catch (err) {
      this.d.log.debug({ err }, 'web audit export failed');
      failed = true;
    }
    res.end();
    const args = { user: f.user, command: f.command, outcome: f.outcome, from: f.from, to: f.to, rows, cut: cut.more };
    audit.write({ at: new Date(), invocationId: randomUUID(), principalKey: s.principal.key, platform: 'web', room: 'web', command: 'web audit export', argsJson: JSON.stringify(args), decision: 'allow', outcome: failed ? 'error' : 'ok', ...(failed ? { errorCode: 'unavailable' as const } : {}), durationMs: Date.now() - started });
  }
}
