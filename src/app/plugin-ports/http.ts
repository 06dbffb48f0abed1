import { UserError } from '../../core/errors.js';
import type { PluginHttp, PluginHttpRequest, PluginHttpResponse, PluginPortLog } from '../../core/plugin-ports.js';

export const HTTP_DEFAULT_TIMEOUT_MS = 10_000;
export const HTTP_MAX_TIMEOUT_MS = 60_000;
/** The most of a response read, as for a declared http command (docs/commands.md#http). */
export const HTTP_MAX_BODY = 1_000_000;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * `ctx.http` (docs/plugins.md): one request with Node's fetch, as declared http commands and deploy
 * webhooks send theirs (a timeout signal, redirects not followed), and the body read up to a cap. The
 * log and the errors name the method and host only (and a failure's error name and code, never its
 * message, which can quote the URL): a URL's path or query, a header or a body may carry a secret.
 */
export function httpPort(log: PluginPortLog): PluginHttp {
  return Object.freeze({
    async request(req: PluginHttpRequest): Promise<PluginHttpResponse> {
      const r = checked(req);
      const where = `${r.method} ${r.url.host}`;
      const started = Date.now();
      let res: Response;
      try {
        res = await fetch(r.url, { method: r.method, headers: r.headers, ...(r.body !== undefined ? { body: r.body } : {}), signal: AbortSignal.timeout(r.timeoutMs), redirect: 'manual' });
      } catch (err) {
        const timedOut = (err as Error).name === 'TimeoutError';
        // The error's name and cause code only: fetch's messages can quote the whole URL (docs/plugins.md).
        log.warn({ method: r.method, host: r.url.host, error: (err as Error).name, code: causeCode(err) }, 'plugin http request failed');
        if (timedOut) throw new UserError('timeout', `${where}: no answer within ${r.timeoutMs} ms`);
        throw new UserError('unavailable', `${where}: the service could not be reached`);
      }
      const text = await capped(res, where, r.timeoutMs);
      log.debug({ method: r.method, host: r.url.host, status: res.status, ms: Date.now() - started }, 'plugin http request');
      return response(res, text);
    },
  });
}

interface Checked {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body?: string;
  readonly timeoutMs: number;
}

function checked(req: PluginHttpRequest): Checked {
  if (typeof req !== 'object' || req === null) throw new UserError('bad_input', 'http.request takes { method, url, headers?, body?, timeoutMs? }');
  const method = String(req.method ?? 'GET').toUpperCase();
  if (!METHODS.has(method)) throw new UserError('bad_input', `http method must be one of: ${[...METHODS].join(', ')}`);
  let url: URL;
  try {
    url = new URL(String(req.url));
  } catch {
    throw new UserError('bad_input', 'http url is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError('bad_input', 'http url must be http: or https:');
  // A user or password in a URL would be logged and shown wherever a URL is: send it as a header.
  if (url.username || url.password) throw new UserError('bad_input', 'http url must not carry a user or password; send an Authorization header');
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers ?? {})) {
    try {
      headers.set(k, String(v));
    } catch {
      // The name only: the value may be a token.
      throw new UserError('bad_input', `http header ${JSON.stringify(k.slice(0, 60))} is not a valid header`);
    }
  }
  const timeoutMs = req.timeoutMs ?? HTTP_DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > HTTP_MAX_TIMEOUT_MS)
    throw new UserError('bad_input', `http timeoutMs must be a whole number from 1 to ${HTTP_MAX_TIMEOUT_MS}`);
  if (req.body === undefined || req.body === null) return { method, url, headers, timeoutMs };
  if (method === 'GET' || method === 'HEAD') throw new UserError('bad_input', `http ${method} takes no body`);
  const body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
  if (typeof req.body !== 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
  return { method, url, headers, body, timeoutMs };
}

/** The body as text, read no further than the cap: a longer one is refused, not cut (a cut JSON would not parse). */
async function capped(res: Response, where: string, timeoutMs: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch((err: unknown) => {
      if ((err as Error | undefined)?.name === 'TimeoutError') throw new UserError('timeout', `${where}: no whole answer within ${timeoutMs} ms`);
      throw new UserError('unavailable', `${where}: the answer broke off`);
    });
    if (done) break;
    size += value.byteLength;
    if (size > HTTP_MAX_BODY) {
      await reader.cancel().catch(() => {});
      throw new UserError('unavailable', `${where}: the answer is larger than ${HTTP_MAX_BODY} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function response(res: Response, text: string): PluginHttpResponse {
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => Object.defineProperty(headers, k, { value: v, enumerable: true }));
  return Object.freeze({
    status: res.status,
    headers: Object.freeze(headers),
    text,
    json(): unknown {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new UserError('bad_input', `the answer (HTTP ${res.status}) is not JSON`);
      }
    },
  });
}

/** A network error's code (ECONNREFUSED, …) from fetch's cause, without its message. */
function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: unknown } | null)?.cause;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? (cause as { code: unknown }).code : undefined;
  return typeof code === 'string' ? code.slice(0, 40) : undefined;
}
