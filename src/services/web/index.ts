import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { MemoryKeyStore, RedisKeyStore, type KeyStore } from './key-store.js';
import { WebSessions } from './sessions.js';
import { SignInAttempts } from './sign-in-attempts.js';
import { SignInLinks } from './sign-in-links.js';

export { LINK_TTL_MS } from './sign-in-links.js';
export type { WebSession } from './sessions.js';

/** Sign-in links and sessions of the web view: shared by every replica through Redis, else in this process. */
export interface WebAuth {
  /** The origin sign-in links point at: `web.publicUrl`, else this host's web port (a local setup). */
  readonly origin: string;
  /** A job's page, for chat threads to link to; only with `web.publicUrl` (a localhost link helps nobody in chat). */
  jobUrl(id: string): string | undefined;
  readonly links: SignInLinks;
  readonly sessions: WebSessions;
  /** Failed sign-ins per client address, shared by every replica through the same store. */
  readonly attempts: SignInAttempts;
  close(): Promise<void>;
}

/** The port `/web` and the job commands use (docs/architecture.md, "Ports"). */
export interface WebPort {
  /** The web view's sign-in links and sessions (docs/web.md); undefined without an enabled `web` section. */
  readonly web?: WebAuth;
}

/** Undefined without an enabled `web` section: `/web` then says the web view is off. */
export function buildWebAuth(config: Config, log: Logger, now: () => number): WebAuth | undefined {
  const web = config.web;
  if (!web?.enabled) return undefined;
  const store: KeyStore = config.redis ? new RedisKeyStore(config.redis, config.redis.prefix, log.child({ service: 'web' })) : new MemoryKeyStore(now);
  return {
    origin: web.publicUrl ?? `http://localhost:${web.port ?? config.http.port}`,
    jobUrl: jobPageUrl(config),
    links: new SignInLinks(store, now),
    sessions: new WebSessions(store, { idleMs: web.sessionIdle, maxMs: web.sessionMax }, now),
    attempts: new SignInAttempts(store),
    close: () => store.close(),
  };
}

/** A job's page for chat threads to link to: only with an enabled web view and `web.publicUrl` (docs/web.md). */
export function jobPageUrl(config: Config): (id: string) => string | undefined {
  const base = config.web?.enabled ? config.web.publicUrl : undefined;
  return (id) => (base ? `${base}/web/jobs/${encodeURIComponent(id)}` : undefined);
}
