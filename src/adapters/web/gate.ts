import type { Logger } from 'pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Access } from '../../core/access.js';
import type { AuditRecord, AuditSink } from '../../core/audit.js';
import type { Principal } from '../../core/principal.js';
import type { HeldRole } from '../../core/roles/types.js';
import type { WebAuth, WebSession } from '../../services/web/index.js';
import { SECRET, newSecret, sameSecret } from '../../services/web/secret.js';
import { messagePage, notSignedInPage, reloadPage, signInPage } from './pages/views.js';
import { NEXT_COOKIE, SESSION_COOKIE, SIGNIN_COOKIE, clearCookie, cookieOf, formBody, safeNext, setCookie } from './request.js';
import { redirect, sendHtml } from './respond.js';
import { clientAddress } from './client-address.js';

export interface GateDeps {
  readonly auth: WebAuth;
  readonly access: Access;
  readonly audit: AuditSink;
  /** `web.publicUrl`, if set: the only origin a POST may come from. */
  readonly publicUrl: string | undefined;
  /** `web.trustProxy`: false, true (one proxy) or how many proxies stand in front. */
  readonly trustProxy: boolean | number;
  readonly now?: () => number;
  /** `web.oidc.name` when OpenID Connect is configured: the "Sign in with …" link on the sign-in pages. */
  readonly oidcName?: string;
  readonly log?: Logger;
}

/** A request that passed the gate: a live session of a principal still on the allowlist. */
export interface Signed {
  readonly session: WebSession;
  readonly principal: Principal;
  readonly secure: boolean;
  /** Roles a source could not check on this request (Slack or Discord did not answer): the page's banner. */
  readonly unchecked: readonly HeldRole[];
}

/** A live stream's re-check (Gate.recheck): go on, hold its updates while roles cannot be checked, or end. */
export type Recheck = { readonly state: 'ok'; readonly principal: Principal } | { readonly state: 'unchecked'; readonly roles: string } | { readonly state: 'gone' };

/** What the role sources say of a principal in one round of stream re-checks. */
type RolesNow = { readonly state: 'ok' } | { readonly state: 'unchecked'; readonly roles: string } | { readonly state: 'none' };

/** "operator (Discord role 123), admin (Slack group S1)": the roles a page could not check, for people. */
export function uncheckedText(roles: readonly HeldRole[]): string {
  const named = (source: string) => source.replace(/^discord-role:/, 'Discord role ').replace(/^slack-group:/, 'Slack group ');
  return [...new Set(roles.map((r) => `${r.role} (${named(r.source)})`))].join(', ');
}

/** The answer to a client past its sign-in tries (docs/web.md, "Signing in"). */
const TOO_MANY = messagePage('Sign in', 'Too many sign-in attempts from here; wait a minute. Nothing was done.');

/**
 * Sign-in and the per-request checks (docs/web.md, "Signing in" and "Sessions"): every page asks for a
 * live session and asks Access again, so a principal taken off the allowlist loses the view at once;
 * every POST must come from this site (Origin) and carry the session's CSRF token.
 */
export class Gate {
  constructor(private readonly d: GateDeps) {}

  secure(req: IncomingMessage): boolean {
    if (this.d.publicUrl?.startsWith('https://')) return true;
    return this.#hops > 0 && String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() === 'https';
  }

  get #hops(): number {
    return this.d.trustProxy === true ? 1 : this.d.trustProxy === false ? 0 : this.d.trustProxy;
  }

  /** The origin pages are served from: `web.publicUrl`, else the request's own host. */
  origin(req: IncomingMessage): string {
    return this.d.publicUrl ?? `${this.secure(req) ? 'https' : 'http'}://${req.headers.host ?? ''}`;
  }

  /** A POST from another site (a foreign Origin) is refused whatever it carries. */
  foreign(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return false;
    return origin !== this.origin(req);
  }

  /**
   * The sign-in POST has no session to carry a token, so it asks more of the request (docs/web.md,
   * "Security"): an Origin that is this site's, or, when a browser sends none, `Sec-Fetch-Site: same-origin`.
   */
  #fromHere(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin !== undefined) return origin === this.origin(req);
    return req.headers['sec-fetch-site'] === 'same-origin';
  }

  async signInForm(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = url.searchParams.get('t') ?? '';
    const next = safeNext(url.searchParams.get('next') ?? cookieOf(req, NEXT_COOKIE));
    // Reading whether the link is still good spends nothing: a chat client's preview is harmless.
    const usable = await this.d.auth.links.usable(token);
    if (!usable) return sendHtml(res, 410, signInPage(token, next, false, ''));
    // Double-submit: the form and a SameSite=Strict cookie carry the same fresh secret; a form posted
    // from another site has no cookie with it, so it cannot spend a link (docs/web.md, "Security").
    const csrf = newSecret();
    sendHtml(res, 200, signInPage(token, next, true, csrf), [setCookie(SIGNIN_COOKIE, csrf, this.secure(req), 600)]);
  }

  async signIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const secure = this.secure(req);
    if (!this.#fromHere(req)) return sendHtml(res, 403, messagePage('Refused', 'This form was not sent from this site; nothing was done.'));
    const addr = clientAddress(req, this.#hops);
    if (!(await this.d.auth.attempts.allowed(addr))) return sendHtml(res, 429, TOO_MANY);
    const form = await formBody(req);
    const pair = cookieOf(req, SIGNIN_COOKIE) ?? '';
    if (!form || !SECRET.test(pair) || !sameSecret(form.get('csrf') ?? '', pair)) {
      return sendHtml(res, 403, messagePage('Refused', 'This form is not the one this browser was shown (missing or wrong CSRF token); nothing was done. Open the link again.'));
    }
    const token = form.get('t') ?? '';
    // Only a token that could have been real counts: garbage is refused for free, so a client behind
    // the same address (a proxy, a NAT) cannot spend everyone's tries with it. A real-looking one is
    // counted before the link is looked up, in the same step as the check (a burst cannot pass the limit).
    const counted = SECRET.test(token);
    if (counted && !(await this.d.auth.attempts.reserve(addr))) return sendHtml(res, 429, TOO_MANY);
    const grant = await this.d.auth.links.take(token);
    if (!grant) return sendHtml(res, 410, messagePage('Sign in', 'This sign-in link has been used or has expired; nothing was done. Type /web in chat for a new one.'));
    // The link is spent: a refund that fails must not cost the sign-in (the try then stays counted).
    if (counted) await this.d.auth.attempts.succeeded(addr).catch((err: unknown) => this.d.log?.warn({ err }, 'could not take back a counted sign-in try'));
    const principal: Principal = { key: grant.key, name: grant.name, ...(grant.guild ? { guild: grant.guild } : {}) };
    await this.admit(res, principal, safeNext(form.get('next')), secure, 'link', clearCookie(SIGNIN_COOKIE, secure));
  }

  /**
   * The last step of every sign-in (a link, OIDC): the principal must hold a role now; one audit row;
   * then a session. `how` goes in the audit row's arguments (`link`, `oidc`); `spent` clears the flow's cookie.
   */
  async admit(res: ServerResponse, principal: Principal, next: string, secure: boolean, how: 'link' | 'oidc', spent: string): Promise<void> {
    await this.d.access.prepare(principal);
    const allowed = this.d.access.rolesOf(principal).length > 0;
    const unchecked = allowed ? [] : this.d.access.unchecked(principal);
    this.#audit(principal, 'web signin', allowed ? 'ok' : 'refused', allowed ? undefined : unchecked.length ? 'unavailable' : 'denied', how);
    if (unchecked.length) return sendHtml(res, 503, messagePage('Sign in', `Your roles could not be checked now: ${uncheckedText(unchecked)}. Nothing was done; try again in a minute.`), [spent]);
    if (!allowed) return sendHtml(res, 403, messagePage('Refused', `You are not on the allowlist; your key is ${principal.key}.`), [spent]);
    const { secret } = await this.d.auth.sessions.start(principal);
    redirect(res, next, [setCookie(SESSION_COOKIE, secret, secure), clearCookie(NEXT_COOKIE, secure), spent]);
  }

  /**
   * The live session behind the request, or an answer already sent: a GET without one is asked to sign
   * in (and remembers the page), a POST without one is refused; a principal off the allowlist is signed out.
   */
  async check(req: IncomingMessage, res: ServerResponse, path: string): Promise<Signed | undefined> {
    const secure = this.secure(req);
    const secret = cookieOf(req, SESSION_COOKIE);
    const session = secret ? await this.d.auth.sessions.resume(secret) : undefined;
    if (!session) {
      if (req.method === 'GET' && !secret && req.headers['sec-fetch-site'] === 'cross-site') {
        // Followed from another site (a chat client): a SameSite=Strict cookie is not sent on that first
        // request. Load the page again from here, a same-site navigation that carries it; no loop, since
        // that second request is not cross-site.
        sendHtml(res, 200, reloadPage());
        return undefined;
      }
      if (req.method === 'GET') {
        const next = safeNext(path);
        sendHtml(res, 401, notSignedInPage(this.d.oidcName), [setCookie(NEXT_COOKIE, next, secure, 600), clearCookie(SESSION_COOKIE, secure)]);
      } else sendHtml(res, 403, messagePage('Refused', 'You are not signed in; nothing was done.'));
      return undefined;
    }
    const principal: Principal = { key: session.key, name: session.name, ...(session.guild ? { guild: session.guild } : {}) };
    await this.d.access.prepare(principal);
    const unchecked = this.d.access.unchecked(principal);
    if (this.d.access.rolesOf(principal).length === 0) {
      // A source that could not answer is not a removal from the allowlist: the session stays.
      if (unchecked.length) {
        sendHtml(res, 503, messagePage('Roles not checked', `Your roles could not be checked now: ${uncheckedText(unchecked)}. Try again in a minute; you are still signed in.`));
        return undefined;
      }
      await this.d.auth.sessions.end(session.id);
      sendHtml(res, 403, messagePage('Refused', `You are no longer on the allowlist (${principal.key}); you have been signed out.`), [clearCookie(SESSION_COOKIE, secure)]);
      return undefined;
    }
    return { session, principal, secure, unchecked };
  }

  /** A POST's form, once its origin and CSRF token are checked; undefined when refused (answer sent). */
  async form(req: IncomingMessage, res: ServerResponse, s: Signed): Promise<URLSearchParams | undefined> {
    const form = this.foreign(req) ? undefined : await formBody(req);
    const token = form?.get('csrf') ?? '';
    if (!form || !sameSecret(token, s.session.csrf)) {
      sendHtml(res, 403, messagePage('Refused', 'This form is not from this session (missing or wrong CSRF token, or another site); nothing was done.'));
      return undefined;
    }
    return form;
  }

  /**
   * For streams that outlive their requests, the rule `check` applies to every page, asked once for each
   * session and once for each principal however many streams they have open (docs/web.md, "Live
   * updates"): `ok` while the session is live and its principal holds a role; `unchecked` while a role
   * source cannot answer and gives the only roles (not a removal: the session stays, as the page's 503
   * says); `gone` when the session has ended, or a source answered that the principal holds no role
   * (signed out, as a page would sign them out). One answer per session cookie's secret; a check that
   * fails rejects that secret's answer (the principal's: every secret of that principal).
   */
  recheck(secrets: readonly string[]): Map<string, Promise<Recheck>> {
    const principals = new Map<string, Promise<RolesNow>>();
    const out = new Map<string, Promise<Recheck>>();
    for (const secret of secrets) if (!out.has(secret)) out.set(secret, this.#recheckOne(secret, principals));
    return out;
  }

  async #recheckOne(secret: string, principals: Map<string, Promise<RolesNow>>): Promise<Recheck> {
    const session = await this.d.auth.sessions.resume(secret);
    if (!session) return { state: 'gone' };
    const principal: Principal = { key: session.key, name: session.name, ...(session.guild ? { guild: session.guild } : {}) };
    // Sessions of one principal share one question to the role sources in a round.
    const who = JSON.stringify([principal.key, principal.name, principal.guild ?? null]);
    let asked = principals.get(who);
    if (!asked) principals.set(who, (asked = this.#rolesNow(principal)));
    const now = await asked;
    if (now.state === 'ok') return { state: 'ok', principal };
    if (now.state === 'unchecked') return now;
    await this.d.auth.sessions.end(session.id);
    return { state: 'gone' };
  }

  async #rolesNow(principal: Principal): Promise<RolesNow> {
    await this.d.access.prepare(principal);
    if (this.d.access.rolesOf(principal).length > 0) return { state: 'ok' };
    const unchecked = this.d.access.unchecked(principal);
    if (unchecked.length > 0) return { state: 'unchecked', roles: uncheckedText(unchecked) };
    return { state: 'none' };
  }

  async signOut(res: ServerResponse, s: Signed): Promise<void> {
    await this.d.auth.sessions.end(s.session.id);
    this.#audit(s.principal, 'web signout', 'ok');
    redirect(res, '/web/signed-out', [clearCookie(SESSION_COOKIE, s.secure)]);
  }

  #audit(p: Principal, command: string, outcome: 'ok' | 'refused', errorCode?: AuditRecord['errorCode'], how?: string): void {
    this.d.audit.write({ at: new Date(), invocationId: randomUUID(), principalKey: p.key, platform: 'web', room: 'web', command, argsJson: how ? JSON.stringify({ via: how }) : '{}', decision: outcome === 'ok' ? 'allow' : 'deny', outcome, durationMs: 0, ...(errorCode ? { errorCode } : {}) });
  }
}
