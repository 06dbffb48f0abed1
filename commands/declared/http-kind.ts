import type { Logger } from 'pino';
import type { Args, CommandContext } from '../../src/core/define-command.js';
import { UserError } from '../../src/core/errors.js';
import { reply, type Reply } from '../../src/core/reply.js';
import { bodyDestination, mask, render } from '../../src/services/deploy/template.js';
import type { Secrets } from '../../src/services/secrets/index.js';
import type { HttpCommand } from '../../src/config/commands.js';
import { capped, templateVars } from './vars.js';

export interface HttpDeps {
  /** Read at use: the app's secrets are built after the registry. */
  readonly secrets: () => Secrets | undefined;
  /** Config values that came from ${ENV}: masked in every reply and log line. */
  readonly masked: readonly string[];
  readonly log: Logger;
}

/** Body lines shown when a command has no reply template. */
const BODY_LINES = 10;
/** The most of a response read: a reply shows a few fields, not a download. */
const MAX_BODY = 1_000_000;
const FIELD = /\{(body(?:\.[A-Za-z0-9_-]+)*|status|[a-z][a-z0-9_]*(?:\.key)?)\}/g;

/**
 * An `http` declared command (docs/commands.md#http): the configured templates filled as deploy
 * webhooks fill theirs (src/services/deploy/template.ts: secrets first, caller values last, escaped
 * for where they land), one request with a timeout, and a short reply, secrets masked.
 */
export function httpHandler(c: HttpCommand, deps: HttpDeps): (ctx: CommandContext<Args>) => Promise<Reply> {
  const argNames = c.args.map((a) => a.name);
  return async (ctx) => {
    const vars = templateVars(ctx, argNames);
    const found = new Set<string>(deps.masked);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(c.headers)) headers[k] = await render(v, vars, 'header', deps.secrets(), found);
    const url = await render(c.url, vars, 'url', deps.secrets(), found);
    const body = c.body === undefined ? undefined : await render(c.body, vars, bodyDestination(c.headers), deps.secrets(), found);
    if (body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, { method: c.method, headers, ...(body !== undefined && c.method !== 'GET' ? { body } : {}), signal: AbortSignal.timeout(c.timeoutSec * 1000), redirect: 'manual' });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      deps.log.warn({ command: c.name, err: mask(String((err as Error).message), found) }, 'declared http command failed');
      if (timedOut) throw new UserError('timeout', `/${c.name}: no answer within ${c.timeoutSec} s`);
      throw new UserError('unavailable', `/${c.name}: the service could not be reached`);
    }
    // Masked whole before any cut: a secret the service echoes back, cut in two, would show its prefix.
    const longest = Math.max(0, ...[...found].map((s) => s.length));
    const text = mask((await res.text().catch(() => '')).slice(0, MAX_BODY + longest), found).slice(0, MAX_BODY);
    const answer = c.reply !== undefined && res.ok ? fromTemplate(c.reply, vars, res.status, text) : plainAnswer(res, text);
    return reply(capped(mask(answer, found)));
  };
}

function plainAnswer(res: Response, text: string): string {
  const lines = text.split('\n').filter((l) => l.trim()).slice(0, BODY_LINES).map((l) => l.slice(0, 300));
  return [`HTTP ${res.status} ${res.statusText}`.trim(), ...lines].join('\n');
}

/** `{queue}: {body.depth} waiting`: argument values, `{status}`, and fields of a JSON response. */
function fromTemplate(template: string, vars: ReadonlyMap<string, string>, status: number, text: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return template.replace(FIELD, (whole, name: string) => {
    if (name === 'status') return String(status);
    if (name === 'body' || name.startsWith('body.')) return show(field(json, name.split('.').slice(1)));
    return vars.get(name) ?? whole;
  });
}

/** A field of the response by path; own properties only, so `body.constructor` is nothing. */
function field(value: unknown, path: readonly string[]): unknown {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function show(v: unknown): string {
  if (v === undefined) return '?';
  if (typeof v === 'string') return v.slice(0, 500);
  return JSON.stringify(v).slice(0, 500);
}
