import { setTimeout as sleep } from 'node:timers/promises';
import type { Secrets } from '../secrets/index.js';
import { bodyDestination, mask, preview, render, showHeaders, type DeployVars } from './template.js';
import type { DeployResult, DeployTarget } from './types.js';

export interface WebhookRun {
  readonly target: DeployTarget;
  readonly vars: DeployVars;
  readonly secrets?: Secrets;
  /** Values to mask wherever output is shown (config values that came from ${ENV}). */
  readonly masked: readonly string[];
  readonly onLine: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** Response body lines shown in the thread; a CI answer can be a whole HTML page. */
const BODY_LINES = 20;

/** What will be sent, secrets masked: the first line of the thread. */
export function describeWebhook(t: DeployTarget, vars: DeployVars, masked: readonly string[]): string {
  const url = preview(t.url ?? '', vars, 'url', masked);
  const headers = t.headers && Object.keys(t.headers).length ? ` (headers ${showHeaders(t.headers)})` : '';
  const body = t.body ? ` body ${preview(t.body, vars, bodyDestination(t.headers), masked)}` : '';
  return `${t.method ?? 'POST'} ${url}${headers}${body}`;
}

/**
 * Triggers a CI webhook: one request (success by status code), then optionally polls a status URL
 * until its body says done or failed. Every line it reports is masked.
 */
export async function runWebhook(w: WebhookRun): Promise<DeployResult> {
  const started = Date.now();
  const t = w.target;
  const found = new Set<string>(w.masked);
  const say = (line: string): void => w.onLine(mask(line, found));
  const headers: Record<string, string> = {};
  // Secrets are resolved in the configured text before caller values go in (docs/deploy.md, "Templates").
  for (const [k, v] of Object.entries(t.headers ?? {})) headers[k] = await render(v, w.vars, 'header', w.secrets, found);
  const body = t.body === undefined ? undefined : await render(t.body, w.vars, bodyDestination(t.headers), w.secrets, found);
  const url = await render(t.url ?? '', w.vars, 'url', w.secrets, found);
  const method = t.method ?? 'POST';
  if (body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const result = (r: Omit<DeployResult, 'durationMs'>): DeployResult => ({ ...r, durationMs: Date.now() - started });
  let res: Response;
  try {
    res = await fetch(url, { method, headers, ...(body !== undefined && method !== 'GET' ? { body } : {}), signal: signalFor(t.timeoutSec, w.signal), redirect: 'manual' });
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError';
    say(timedOut ? `no answer within ${t.timeoutSec} s` : `request failed: ${(err as Error).message}`);
    return result({ outcome: timedOut ? 'timeout' : 'failed', ok: false, message: timedOut ? `no answer within ${t.timeoutSec} s` : 'the webhook could not be reached' });
  }
  const text = await res.text().catch(() => '');
  say(`HTTP ${res.status} ${res.statusText}`);
  for (const line of text.split('\n').slice(0, BODY_LINES)) if (line.trim()) say(line.slice(0, 500));
  const ok = t.successStatus ? t.successStatus.includes(res.status) : res.status >= 200 && res.status < 300;
  if (!ok) return result({ outcome: 'failed', ok: false, httpStatus: res.status, message: `the webhook answered HTTP ${res.status}` });
  if (!t.poll) return result({ outcome: 'ok', ok: true, httpStatus: res.status, message: `the webhook answered HTTP ${res.status}` });
  const polled = await poll(t.poll, w.vars, w.secrets, found, say, w.signal);
  return result({ ...polled, httpStatus: res.status });
}

async function poll(p: NonNullable<DeployTarget['poll']>, vars: DeployVars, secrets: Secrets | undefined, found: Set<string>, say: (l: string) => void, signal?: AbortSignal): Promise<Omit<DeployResult, 'durationMs'>> {
  const url = await render(p.url, vars, 'url', secrets, found);
  const done = new RegExp(p.doneMatch, 'u');
  const failed = new RegExp(p.failMatch, 'u');
  const until = Date.now() + p.timeoutSec * 1000;
  let lastSaid = '';
  while (Date.now() < until) {
    if (signal?.aborted) return { outcome: 'cancelled', ok: false, message: 'cancelled while waiting for the status URL' };
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      const text = (await res.text()).slice(0, 10_000);
      const line = `status: HTTP ${res.status} ${text.split('\n')[0]?.slice(0, 200) ?? ''}`;
      if (line !== lastSaid) say((lastSaid = line));
      if (failed.test(text)) return { outcome: 'failed', ok: false, message: 'the status URL reports a failure' };
      if (done.test(text)) return { outcome: 'ok', ok: true, message: 'the status URL reports done' };
    } catch (err) {
      say(`status URL not answering: ${(err as Error).message}`);
    }
    await sleep(p.intervalSec * 1000);
  }
  return { outcome: 'timeout', ok: false, message: `the status URL did not report done within ${p.timeoutSec} s` };
}

function signalFor(timeoutSec: number, outer?: AbortSignal): AbortSignal {
  const t = AbortSignal.timeout(timeoutSec * 1000);
  return outer ? AbortSignal.any([t, outer]) : t;
}
