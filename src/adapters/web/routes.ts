import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Principal } from '../../core/principal.js';
import { replyToText } from '../../core/reply.js';
import type { App } from '../../app/main.js';
import type { Metrics } from '../../metrics/metrics.js';
import { STATUS_WINDOWS, type StatusReport } from '../../core/ports.js';
import type { DispatchFn } from '../types.js';
import { ICON, LIVE_SCRIPT, STYLE } from './assets.js';
import { sendRecorded, streamJob } from './events.js';
import { SharedFollows } from './shared-follows.js';
import { LiveChecks, type StreamCheck } from './live-checks.js';
import { SESSION_COOKIE, cookieOf } from './request.js';
import type { OidcSignIn } from './oidc.js';
import { runForm, runLine, WebThreads } from './command-box.js';
import { runPage } from './pages/run.js';
import { uncheckedText, type Gate, type Signed } from './gate.js';
import type { Viewer } from './layout.js';
import { MorePages } from './more-routes.js';
import { auditFilter, auditRows } from './pages/audit-query.js';
import { statusChart } from './pages/chart.js';
import { chartData } from './pages/status-chart-data.js';
import { JOB_ID, activeJobs, findJob, recentJobs, type WebJob } from './pages/jobs.js';
import { auditPage, jobPage, jobsPage, messagePage, sessionsPage, statusPage, type JobOutput } from './pages/views.js';
import { redirect, sendAsset, sendHtml } from './respond.js';

/** Recorded lines on one job page; a longer output is paged (`?after=<line>`). */
const OUTPUT_PAGE = 5000;

/** The web view's pages and actions (docs/web.md). Every page but sign-in and the assets passes the gate. */
export class WebRoutes {
  #dispatch: DispatchFn | undefined;
  /** Open live-update streams, by the session that opened them: ending a session ends its streams. */
  readonly streams = new Map<ServerResponse, string>();
  readonly #pages: MorePages;
  /** One read of each followed thread for all its pages (made with the relay, on the first live page). */
  #follows: SharedFollows | undefined;
  /** The one timer that re-checks every open stream's session, roles and job. */
  readonly #checks = new LiveChecks(
    (secrets) => this.#recheck(secrets),
    (id) => this.#ended(id),
  );

  constructor(
    private readonly app: App,
    private readonly gate: Gate,
    private readonly log: Logger,
    private readonly metrics?: Metrics,
    private readonly oidc?: OidcSignIn,
  ) {
    this.#pages = new MorePages({ app, log, may: (p, path) => this.#may(p, path), dispatch: () => this.#dispatch });
  }

  start(dispatch: DispatchFn): void {
    this.#dispatch = dispatch;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://web.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    this.metrics?.webRequests.inc({ page: pageOf(method, path) });
    if (method === 'GET' && path === '/web/static/app.css') return sendAsset(res, 'text/css', STYLE);
    if (method === 'GET' && path === '/web/static/live.js') return sendAsset(res, 'text/javascript', LIVE_SCRIPT);
    if (method === 'GET' && path === '/web/static/icon.svg') return sendAsset(res, 'image/svg+xml', ICON);
    if (method === 'GET' && path === '/web/signin') return this.gate.signInForm(url, req, res);
    if (method === 'POST' && path === '/web/signin') return this.gate.signIn(req, res);
    if (method === 'GET' && this.oidc && path === '/web/oidc/start') return this.oidc.start(url, req, res);
    if (method === 'GET' && this.oidc && path === '/web/oidc/callback') return this.oidc.callback(url, req, res);
    if (method === 'GET' && path === '/web/signed-out') return sendHtml(res, 200, messagePage('Signed out', 'You are signed out.'));
    if (method !== 'GET' && method !== 'POST') return sendHtml(res, 405, messagePage('Not allowed', 'Only GET and POST are served here.'));
    const s = await this.gate.check(req, res, path + url.search);
    if (!s) return;
    const who: Viewer = { name: s.principal.name, key: s.principal.key, csrf: s.session.csrf, ...(s.unchecked.length ? { unchecked: uncheckedText(s.unchecked) } : {}) };
    if (method === 'POST') return this.#post(req, res, s, who, path);
    if (path === '/web' || path === '/web/') return redirect(res, '/web/jobs');
    if (path === '/web/jobs') return this.#jobs(res, s, who);
    if (path === '/web/status') return this.#status(res, s, who, url);
    if (path === '/web/audit') return this.#audit(res, s, who, url);
    if (path === '/web/sessions') return this.#sessions(res, s, who);
    if (await this.#pages.get(res, s, who, path, url)) return;
    if (path === '/web/run') return sendHtml(res, 200, runPage(who));
    const m = /^\/web\/jobs\/([^/]+)(\/events)?$/.exec(path);
    if (m?.[1] && JOB_ID.test(m[1])) return m[2] ? this.#events(req, res, s, m[1]) : this.#job(res, s, who, m[1], undefined, url);
    sendHtml(res, 404, messagePage('Not found', 'There is no such page.', who));
  }

  async #post(req: IncomingMessage, res: ServerResponse, s: Signed, who: Viewer, path: string): Promise<void> {
    const form = await this.gate.form(req, res, s);
    if (!form) return;
    if (path === '/web/signout') {
      this.#endStreams(s.session.id);
      return this.gate.signOut(res, s);
    }
    if (path === '/web/sessions/end') return this.#endSession(res, s, who, form.get('id') ?? '');
    if (await this.#pages.post(res, s, who, path, form)) return;
    if (path === '/web/run') return this.#run(res, s, who, form);
    const m = /^\/web\/jobs\/([^/]+)\/cancel$/.exec(path);
    if (m?.[1] && JOB_ID.test(m[1])) return this.#cancel(res, s, who, m[1]);
    sendHtml(res, 404, messagePage('Not found', 'There is no such action; nothing was done.', who));
  }

  /**
   * A declared run command's job shows its output only to whoever may run that command or started it,
   * as `/deploy watch` decides (commands/declared/run-job.ts); other jobs to whoever may run /jobs.
   */
  #maySee(p: Principal, job: WebJob): boolean {
    if (!this.#may(p, 'jobs')) return false;
    if (!job.command || job.command.requesterKey === p.key) return true;
    const roles = this.app.registry.get(job.command.name)?.roles ?? ['admin'];
    return this.app.access.decide(p, job.command.name, roles).allow;
  }

  /** True when the principal may run `path` (`jobs`, `burn cancel`) as chat would let them. */
  #may(p: Principal, path: string): boolean {
    const target = this.app.registry.targets().find((t) => t.path === path);
    return target !== undefined && this.app.access.decide(p, path, target.roles).allow;
  }

  #refuse(res: ServerResponse, who: Viewer, path: string): void {
    sendHtml(res, 403, messagePage('Refused', `Your roles do not allow /${path}.`, who));
  }

  async #jobs(res: ServerResponse, s: Signed, who: Viewer): Promise<void> {
    if (!this.#may(s.principal, 'jobs')) return this.#refuse(res, who, 'jobs');
    const { services } = this.app;
    const note = services.burns || services.deploys ? undefined : 'No job queue is configured here.';
    sendHtml(res, 200, jobsPage(who, await activeJobs(services), await recentJobs(services, 50), note));
  }

  async #job(res: ServerResponse, s: Signed, who: Viewer, id: string, message?: string, url?: URL): Promise<void> {
    if (!this.#may(s.principal, 'jobs')) return this.#refuse(res, who, 'jobs');
    const job = await findJob(this.app.services, id);
    if (!job) return sendHtml(res, 404, messagePage('Not found', `No job ${id} is known (ended jobs are kept for jobs.retention).`, who));
    if (!this.#maySee(s.principal, job)) return sendHtml(res, 403, messagePage('Refused', `Job ${id} is /${job.command?.name ?? 'jobs'}'s: you may not run that command, so you do not see its output.`, who));
    const after = Number.parseInt(url?.searchParams.get('after') ?? '0', 10);
    const out = await this.#output(id, Number.isSafeInteger(after) && after > 0 ? after : 0);
    sendHtml(res, 200, jobPage(who, job, this.#may(s.principal, `${job.kind} cancel`), out, message));
  }

  /** A page of a job's recorded lines; none when the store cannot be read now (the page says no output). */
  async #output(id: string, after: number): Promise<JobOutput> {
    const lines = await this.app.services.jobLog?.lines(id, after, OUTPUT_PAGE + 1).catch((err: unknown) => {
      this.log.debug({ err }, 'job output not read');
      return [];
    });
    return { lines: (lines ?? []).slice(0, OUTPUT_PAGE), more: (lines?.length ?? 0) > OUTPUT_PAGE };
  }

  async #events(req: IncomingMessage, res: ServerResponse, s: Signed, id: string): Promise<void> {
    const relay = this.app.services.relay;
    if (!this.#may(s.principal, 'jobs') || !relay) return sendHtml(res, 403, messagePage('Refused', 'No live updates here.'));
    const job = await findJob(this.app.services, id);
    if (!job) return sendHtml(res, 404, messagePage('Not found', `No job ${id}.`));
    if (!this.#maySee(s.principal, job)) return sendHtml(res, 403, messagePage('Refused', 'No live updates here.'));
    const thread = job.thread;
    if (!thread) return sendRecorded(req, res, job.ok === undefined ? undefined : job.summary);
    this.streams.set(res, s.session.id);
    this.metrics?.webLive.inc();
    res.on('close', () => {
      this.streams.delete(res);
      this.metrics?.webLive.dec();
    });
    this.#follows ??= new SharedFollows(relay);
    streamJob(req, res, this.#follows, thread, this.#checks, { secret: cookieOf(req, SESSION_COOKIE) ?? '', job: id });
  }

  /**
   * A stream outlives its request: its session (ended on another replica, say) and access are asked
   * again, by the gate's rule, once a round for each session however many streams it has open; roles a
   * source cannot check now hold the stream, they do not end it.
   */
  #recheck(secrets: readonly string[]): Map<string, Promise<StreamCheck>> {
    const out = new Map<string, Promise<StreamCheck>>();
    for (const [secret, r] of this.gate.recheck(secrets)) {
      out.set(
        secret,
        r.then((c): StreamCheck => {
          if (c.state === 'unchecked') return { unchecked: c.roles };
          return c.state === 'ok' && this.#may(c.principal, 'jobs') ? 'ok' : 'gone';
        }),
      );
    }
    return out;
  }

  /** A job's last word once it has ended (the streams' rounds ask once per job, however many pages follow it). */
  #ended(id: string): Promise<string | undefined> {
    return findJob(this.app.services, id).then((j) => (j && (j.state === 'finished' || j.state === 'failed') ? j.summary : undefined));
  }

  /** Cancel runs `/burn cancel <id>` (or deploy) through the dispatcher: the same roles, one audit row. */
  async #cancel(res: ServerResponse, s: Signed, who: Viewer, id: string): Promise<void> {
    const job = await findJob(this.app.services, id);
    const kind = job?.kind ?? 'burn';
    const dispatch = this.#dispatch;
    if (!dispatch) return sendHtml(res, 503, messagePage('Unavailable', 'The web view is not taking commands now; nothing was done.', who));
    const inv = { id: randomUUID(), platform: 'web', principal: s.principal, room: 'web', command: kind, text: `cancel ${id}`, receivedAt: new Date() };
    const reply = await dispatch(inv, new WebThreads(s.principal));
    this.log.debug({ id, code: reply.code }, 'web cancel');
    if (reply.code === 'denied') return sendHtml(res, 403, messagePage('Refused', replyToText(reply), who));
    if (!job) return sendHtml(res, 404, messagePage('Not found', replyToText(reply), who));
    return this.#job(res, s, who, id, replyToText(reply));
  }

  /** The command box: one line through the dispatcher as the signed-in principal (docs/web.md, "Command box"). */
  async #run(res: ServerResponse, s: Signed, who: Viewer, form: URLSearchParams): Promise<void> {
    const parsed = runForm.safeParse(Object.fromEntries(form));
    if (!parsed.success) return sendHtml(res, 400, messagePage('Bad request', 'The form holds one line of at most 2000 characters; nothing was run.', who));
    const dispatch = this.#dispatch;
    if (!dispatch) return sendHtml(res, 503, messagePage('Unavailable', 'The web view is not taking commands now; nothing was run.', who));
    const result = await runLine(dispatch, s.principal, parsed.data.line);
    sendHtml(res, result.reply.code === 'denied' ? 403 : 200, runPage(who, result));
  }

  async #status(res: ServerResponse, s: Signed, who: Viewer, url: URL): Promise<void> {
    if (!this.#may(s.principal, 'status')) return this.#refuse(res, who, 'status');
    const status = this.app.services.status;
    if (!status) return sendHtml(res, 200, statusPage(who, [], 'No status table is configured here.'));
    const windows = status.hasTimeColumn ? STATUS_WINDOWS : (['all'] as const);
    const asked = url.searchParams.get('window');
    const chosen = windows.filter((w) => asked === null || w === asked);
    let reports: StatusReport[];
    try {
      reports = await Promise.all(chosen.map((w) => status.report(w)));
    } catch (err) {
      this.log.debug({ err }, 'web status failed');
      return sendHtml(res, 200, statusPage(who, [], 'The status table cannot be read now.'));
    }
    const shown = chosen.length === 1 && chosen[0] ? chosen[0] : status.hasTimeColumn ? '24h' : 'all';
    const snapshots = this.app.services.statusSnapshots;
    const chart = snapshots
      ? await chartData(snapshots, shown, url.searchParams.get('days'), this.app.services.now()).then(statusChart, (err: unknown) => {
          this.log.debug({ err }, 'web status chart failed');
          return undefined;
        })
      : undefined;
    sendHtml(res, 200, statusPage(who, reports, undefined, chart));
  }

  async #audit(res: ServerResponse, s: Signed, who: Viewer, url: URL): Promise<void> {
    if (!this.#may(s.principal, 'audit')) return this.#pages.refuseAudited(res, s, who, 'audit');
    const f = auditFilter(url.searchParams);
    if (!f) return sendHtml(res, 400, messagePage('Bad filter', 'The filter does not fit (times as 2026-12-05T18:00, outcome one of ok, error, refused, pending).', who));
    const { rows, more } = await auditRows(this.app.services.audit, f);
    sendHtml(res, 200, auditPage(who, f, rows, more));
  }

  #admin(p: Principal): boolean {
    return this.app.access.rolesOf(p).includes('admin');
  }

  async #sessions(res: ServerResponse, s: Signed, who: Viewer): Promise<void> {
    const admin = this.#admin(s.principal);
    const list = await this.app.services.web!.sessions.list(admin ? undefined : s.principal.key);
    sendHtml(res, 200, sessionsPage(who, list, s.session.id, admin));
  }

  /** Ends the live streams this process holds for a session that has ended. */
  #endStreams(sessionId: string): void {
    for (const [res, id] of this.streams) if (id === sessionId) res.end();
  }

  /** A user ends their own sessions; an admin ends anyone's. One audit row either way. */
  async #endSession(res: ServerResponse, s: Signed, who: Viewer, id: string): Promise<void> {
    const sessions = this.app.services.web!.sessions;
    const mine = (await sessions.list(s.principal.key)).some((x) => x.id === id);
    const allowed = mine || this.#admin(s.principal);
    const ended = allowed && /^[0-9a-f]{64}$/.test(id) ? await sessions.end(id) : false;
    if (ended) this.#endStreams(id);
    this.app.services.audit.write({ at: new Date(), invocationId: randomUUID(), principalKey: s.principal.key, platform: 'web', room: 'web', command: 'web session end', argsJson: JSON.stringify({ session: id.slice(0, 12) }), decision: allowed ? 'allow' : 'deny', outcome: ended ? 'ok' : 'refused', durationMs: 0 });
    if (!allowed) return sendHtml(res, 403, messagePage('Refused', 'Only an admin ends another person\'s session; nothing was done.', who));
    if (id === s.session.id) return redirect(res, '/web/signed-out');
    redirect(res, '/web/sessions');
  }
}

/** A bounded label for a request: ids in paths would make a series per job. */
function pageOf(method: string, path: string): string {
  if (method === 'POST') return path === '/web/signin' ? 'signin' : 'action';
  if (path.startsWith('/web/static/')) return 'static';
  if (path === '/web/signin' || path.startsWith('/web/oidc/')) return 'signin';
  if (path === '/web/audit.csv') return 'audit-export';
  const m = /^\/web\/(jobs|status|audit|sessions|notes|deploys|schedules|run)(\/[^/]+)?(\/events)?$/.exec(path);
  if (!m) return 'other';
  if (m[3]) return 'events';
  return m[2] ? 'job' : (m[1] ?? 'other');
}
