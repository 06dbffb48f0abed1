/**
 * A browser's sign-in by link, step by step (docs/web.md, "Signing in"): GET the link (the Continue form
 * and its double-submit cookie), then POST the form. Tests change one part at a time to make it hostile.
 */
export interface ContinueForm {
  /** The link's token, the form's CSRF field and the cookie that pairs with it (`opsline_signin=…`). */
  readonly t: string;
  readonly csrf: string;
  readonly cookie: string;
  readonly next: string | undefined;
}

export async function openLink(link: string, headers: Record<string, string> = {}): Promise<ContinueForm> {
  const res = await fetch(link, { headers });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`sign-in link answered ${res.status}`);
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1];
  const cookie = (res.headers.getSetCookie().find((c) => c.startsWith('opsline_signin=')) ?? '').split(';')[0] ?? '';
  return { t: field('t') ?? '', csrf: field('csrf') ?? '', cookie, next: field('next') };
}

/** POSTs Continue; `origin: undefined` sends no Origin header. Pass the parts to send (all by default). */
export function postContinue(
  base: string,
  f: { t?: string; csrf?: string; cookie?: string; next?: string },
  headers: Record<string, string | undefined> = { origin: base },
): Promise<Response> {
  const sent: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) sent[k] = v;
  if (f.cookie) sent.cookie = f.cookie;
  const body = new URLSearchParams();
  if (f.t !== undefined) body.set('t', f.t);
  if (f.csrf !== undefined) body.set('csrf', f.csrf);
  if (f.next !== undefined) body.set('next', f.next);
  return fetch(`${base}/web/signin`, { method: 'POST', redirect: 'manual', headers: sent, body });
}

/** The session cookie (`opsline_session=…`) a response set, or ''. */
export function sessionCookie(res: Response): string {
  return (res.headers.getSetCookie().find((c) => c.startsWith('opsline_session=')) ?? '').split(';')[0] ?? '';
}
