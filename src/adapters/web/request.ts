import type { IncomingMessage } from 'node:http';
import { parseCookie, stringifySetCookie } from 'cookie';

export const SESSION_COOKIE = 'opsline_session';
/** The page asked for before sign-in (docs/web.md, "Signing in"): a path under /web, nothing else. */
export const NEXT_COOKIE = 'opsline_next';
/** The sign-in form's double-submit secret (docs/web.md, "Security"): set with the form, sent with its POST. */
export const SIGNIN_COOKIE = 'opsline_signin';
/** An OIDC sign-in under way (docs/web.md, "OpenID Connect"): its state, nonce and PKCE verifier. */
export const OIDC_COOKIE = 'opsline_oidc';
const MAX_BODY = 16 * 1024;

export function cookieOf(req: IncomingMessage, name: string): string | undefined {
  const all = parseCookie(req.headers.cookie ?? '');
  return Object.hasOwn(all, name) ? all[name] : undefined;
}

/**
 * HttpOnly, SameSite=Strict, Path=/web; Secure when the view is served over TLS. Lax only for the OIDC
 * flow's cookie, which must come back on the provider's redirect (a navigation from another site).
 */
export function setCookie(name: string, value: string, secure: boolean, maxAgeSec?: number, sameSite: 'strict' | 'lax' = 'strict'): string {
  return stringifySetCookie(name, value, { httpOnly: true, sameSite, path: '/web', secure, ...(maxAgeSec !== undefined ? { maxAge: maxAgeSec } : {}) });
}

export function clearCookie(name: string, secure: boolean): string {
  return setCookie(name, '', secure, 0);
}

/** A form body (application/x-www-form-urlencoded), at most 16 KiB; undefined for anything else. */
export async function formBody(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * A page to go back to after sign-in: a path under /web on this site, without dot segments, doubled
 * slashes or backslashes (an open redirect or a path-traversal trick ends at the jobs page instead).
 */
export function safeNext(raw: string | undefined | null): string {
  const fallback = '/web/jobs';
  if (!raw || raw.length > 300) return fallback;
  if (!/^\/web(\/[A-Za-z0-9._~-]*)*(\?[A-Za-z0-9._~=&%-]*)?$/.test(raw)) return fallback;
  const path = raw.split('?')[0] ?? '';
  if (path.split('/').some((seg) => seg === '.' || seg === '..') || path.includes('//')) return fallback;
  if (/^\/web\/(signin|signout|static)(\/|$)/.test(path)) return fallback;
  return raw;
}
