import type { ServerResponse } from 'node:http';
import type { Html } from './html.js';

/**
 * Headers on every web response (docs/web.md, "Security"): no script but the package's own, no inline
 * script or style, no framing, no sniffing, no referrer leaving the site (a sign-in link in a Referer).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on a form POST,
  // and the Origin check (src/adapters/web/gate.ts) needs the real one.
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

export function sendHtml(res: ServerResponse, status: number, page: Html, cookies: readonly string[] = []): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', ...(cookies.length ? { 'set-cookie': [...cookies] } : {}) });
  res.end(`<!doctype html>\n${page.markup}`);
}

/** A 303 after a POST, so a reload does not post again. */
export function redirect(res: ServerResponse, to: string, cookies: readonly string[] = []): void {
  res.writeHead(303, { ...SECURITY_HEADERS, location: to, ...(cookies.length ? { 'set-cookie': [...cookies] } : {}) });
  res.end();
}

export function sendAsset(res: ServerResponse, type: string, body: string): void {
  // Assets change with the package only; a short cache is enough and needs no fingerprinting.
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': `${type}; charset=utf-8`, 'cache-control': 'public, max-age=300' });
  res.end(body);
}
