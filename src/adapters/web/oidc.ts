import type { IncomingMessage, ServerResponse } from 'node:http';
import { UserError } from '../../core/errors.js';
import * as client from 'openid-client';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config } from '../../config/schema.js';
import type { Principal } from '../../core/principal.js';
import { isSecretRef, type Secrets } from '../../services/secrets/index.js';
import { sameSecret } from '../../services/web/secret.js';
import { OIDC_SUBJECT } from '../../words/names.js';
import type { Gate } from './gate.js';
import { messagePage } from './pages/views.js';
import { NEXT_COOKIE, OIDC_COOKIE, clearCookie, cookieOf, safeNext, setCookie } from './request.js';
import { redirect, sendHtml } from './respond.js';

export type OidcSettings = NonNullable<NonNullable<Config['web']>['oidc']>;

/** The flow's cookie, parsed like any input: it came back from a browser. */
const flowSchema = z.strictObject({
  state: z.string().min(20).max(200),
  nonce: z.string().min(20).max(200),
  verifier: z.string().min(43).max(128),
  next: z.string().max(300),
});
type Flow = z.infer<typeof flowSchema>;

const FLOW_SECONDS = 600;

/**
 * "Sign in with <provider>" (docs/web.md, "OpenID Connect"), by openid-client: the authorization code
 * flow with PKCE (S256), state and nonce. The flow's secrets live in one HttpOnly cookie for 10 minutes
 * (SameSite=Lax: it must come back on the provider's redirect), so nothing is stored per visitor. The
 * person's key is `oidc:<claim>` (or `web.oidc.principals`' mapping), and it must be on the allowlist,
 * like any principal; the gate then starts a session as for a link.
 */
export class OidcSignIn {
  #config: Promise<client.Configuration> | undefined;
  // Claim values come from outside: a Map, so `constructor` is just a value.
  readonly #principals: ReadonlyMap<string, string>;

  constructor(
    private readonly s: OidcSettings,
    private readonly gate: Gate,
    private readonly secrets: Secrets | undefined,
    private readonly log: Logger,
  ) {
    this.#principals = new Map(Object.entries(s.principals ?? {}));
  }

  get name(): string {
    return this.s.name;
  }

  /** Discovery once, at first use; a failure is forgotten, so the next sign-in asks again. */
  #discover(): Promise<client.Configuration> {
    this.#config ??= (async () => {
      const ref = this.s.clientSecret;
      const secret = isSecretRef(ref) ? await this.#secret(ref) : ref;
      const issuer = new URL(this.s.issuer);
      // Plain http only for a provider on this machine (the config allows no other).
      const options = issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined;
      return client.discovery(issuer, this.s.clientId, secret, undefined, options);
    })();
    this.#config.catch(() => (this.#config = undefined));
    return this.#config;
  }

  async #secret(ref: string): Promise<string> {
    if (!this.secrets) throw new UserError('not_configured', `web.oidc.clientSecret is ${ref}, but no vault section is configured`);
    return this.secrets.get(ref);
  }

  #redirectUri(req: IncomingMessage): string {
    return this.s.redirectUri ?? `${this.gate.origin(req)}/web/oidc/callback`;
  }

  async #configOr503(res: ServerResponse): Promise<client.Configuration | undefined> {
    try {
      return await this.#discover();
    } catch (err) {
      this.log.warn({ err, issuer: this.s.issuer }, 'OIDC provider cannot be asked');
      sendHtml(res, 503, messagePage('Sign in', `${this.s.name} cannot be reached now; nothing was done. Try again, or type /web in chat.`));
      return undefined;
    }
  }

  /** GET /web/oidc/start: to the provider, with a fresh state, nonce and PKCE challenge. */
  async start(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const config = await this.#configOr503(res);
    if (!config) return;
    const flow: Flow = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      next: safeNext(url.searchParams.get('next') ?? cookieOf(req, NEXT_COOKIE)),
    };
    const to = client.buildAuthorizationUrl(config, {
      redirect_uri: this.#redirectUri(req),
      scope: this.s.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    const cookie = Buffer.from(JSON.stringify(flow)).toString('base64url');
    redirect(res, to.href, [setCookie(OIDC_COOKIE, cookie, this.gate.secure(req), FLOW_SECONDS, 'lax')]);
  }

  /** GET /web/oidc/callback: the code for tokens (checked by openid-client), the claim to a key, the gate. */
  async callback(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const secure = this.gate.secure(req);
    const spent = clearCookie(OIDC_COOKIE, secure);
    const flow = flowOf(cookieOf(req, OIDC_COOKIE));
    // The state must be the one this browser was sent off with: a callback URL someone else started
    // (login CSRF) or replayed in another browser does nothing.
    if (!flow || !sameSecret(url.searchParams.get('state') ?? '', flow.state)) {
      return sendHtml(res, 400, messagePage('Sign in', 'This sign-in was not started in this browser, or it took longer than 10 minutes; nothing was done. Start again.'), [spent]);
    }
    const error = url.searchParams.get('error');
    if (error !== null) {
      const code = /^[a-z_]{1,40}$/.test(error) ? ` (${error})` : '';
      return sendHtml(res, 403, messagePage('Sign in', `${this.s.name} did not sign you in${code}; nothing was done.`), [spent]);
    }
    const config = await this.#configOr503(res);
    if (!config) return;
    let claims: Record<string, unknown>;
    try {
      // The URL the provider sent the browser to, as registered (behind a proxy req.url is an inner one).
      const current = new URL(this.#redirectUri(req));
      current.search = url.search;
      const tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
      const id = tokens.claims();
      if (!id) throw new UserError('unavailable', 'the provider sent no ID token');
      claims = { ...id };
      // Some providers put only `sub` in the ID token; the rest is at the userinfo endpoint.
      if (!Object.hasOwn(claims, this.s.claim)) claims = { ...(await client.fetchUserInfo(config, tokens.access_token, id.sub)), ...claims };
    } catch (err) {
      // Never the code or the tokens: only what went wrong.
      this.log.info({ reason: err instanceof Error ? err.message : String(err) }, 'OIDC sign-in refused');
      return sendHtml(res, 403, messagePage('Sign in', `${this.s.name}'s answer did not check out; nothing was done. Start again.`), [spent]);
    }
    const principal = this.#principal(claims);
    if (!principal) {
      return sendHtml(res, 403, messagePage('Sign in', `${this.s.name} gave no usable ${this.s.claim} for you; nothing was done.`), [spent]);
    }
    await this.gate.admit(res, principal, safeNext(flow.next), secure, 'oidc', spent);
  }

  /** The configured claim as a key: `principals`' mapping first, else `oidc:<value>`; email only when verified. */
  #principal(claims: Record<string, unknown>): Principal | undefined {
    const claim = this.s.claim;
    const value = claims[claim];
    if (typeof value !== 'string' || value === '' || value.length > 256) return undefined;
    if (claim === 'email' && claims.email_verified !== true) return undefined;
    const mapped = this.#principals.get(value);
    if (!mapped && !OIDC_SUBJECT.test(value)) return undefined;
    const key = mapped ?? `oidc:${value}`;
    const named = [claims.name, claims.preferred_username].find((n): n is string => typeof n === 'string' && n.length > 0 && n.length <= 200);
    return { key, name: named ?? value };
  }
}

function flowOf(raw: string | undefined): Flow | undefined {
  if (!raw || raw.length > 2000) return undefined;
  try {
    const parsed = flowSchema.safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
