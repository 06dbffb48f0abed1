import type { Invocation } from './define-command.js';
import type { Note, StatusWindow } from './ports.js';

/**
 * The ports a plugin handler may use (docs/plugins.md, "The context"): each a frozen object of plain
 * functions that returns plain, frozen copies, so a plugin never holds a repository, a client or the
 * dispatcher. Core defines them; the composition root (src/app/plugin-ports/) builds them from the
 * services the bot has, per invocation. A port whose service the bot lacks throws
 * UserError('not_configured') from each call (docs/errors.md), as the built-in command would.
 */

/** The counts /status gives, read-only. */
export interface PluginStatus {
  /** Whether the bot has a status section (else report() throws not_configured). */
  readonly configured: boolean;
  /** The windows report() takes: all of them, or only `all` when the task table has no time column. */
  readonly windows: readonly StatusWindow[];
  /** The counts for `window` (default `today`, or `all` without a time column). */
  report(window?: StatusWindow): Promise<PluginStatusReport>;
}

export interface PluginStatusReport {
  readonly window: StatusWindow;
  readonly counts: readonly { readonly status: string; readonly count: number }[];
  readonly total: number;
  readonly done: number;
  readonly at: Date;
  /** Background counts: how old they were when asked. */
  readonly ageMs?: number;
  /** Background counts: why the latest refresh failed, when it did after these counts. */
  readonly staleBecause?: string;
}

/** The team notebook, as /note uses it. */
export interface PluginNotes {
  /** False when notes live only in memory (no `mysql` section): they go at restart. */
  readonly durable: boolean;
  /** Adds a note as the caller (the path and limits of /note add); stored once however often the write is retried. */
  add(text: string): Promise<PluginNote>;
  /** The newest notes, newest first; `limit` 1–50, default 10. */
  list(limit?: number): Promise<readonly PluginNote[]>;
  /** Notes containing every word (1–8 words: a string is split as /note search splits it), newest first; `limit` 1–50, default 20. */
  search(words: string | readonly string[], limit?: number): Promise<readonly PluginNote[]>;
}

/** A note as /note shows it. */
export type PluginNote = Note;

/** Device agents and their drives, read-only: what /drives shows. */
export interface PluginDevices {
  readonly configured: boolean;
  /** Every agent with its drives; an agent that does not answer is listed with `error`. */
  drives(): Promise<readonly PluginAgentDrives[]>;
}

export interface PluginAgentDrives {
  readonly agent: string;
  /** `connecting`, `up`, `down` or `refused`. */
  readonly state: string;
  readonly drives: readonly { readonly name: string; readonly kind: string; readonly speed?: string; readonly busyWith?: string }[];
  readonly error?: string;
}

/** Burns and deploys, read-only: what /jobs shows. Starting or cancelling one stays with /burn and /deploy. */
export interface PluginJobs {
  readonly configured: boolean;
  /** Queued and running jobs of every kind. */
  list(): Promise<readonly PluginJob[]>;
  /** Ended jobs from the job history, newest first; `limit` 1–50, default 10. */
  recent(limit?: number): Promise<readonly PluginJobRecord[]>;
}

export interface PluginJob {
  readonly id: string;
  readonly kind: 'burn' | 'deploy';
  readonly state: 'queued' | 'running' | 'finished' | 'failed';
  readonly requester: { readonly key: string; readonly name: string };
  /** The job as /jobs words it. */
  readonly text: string;
}

export interface PluginJobRecord {
  readonly id: string;
  readonly kind: 'burn' | 'deploy';
  readonly summary: string;
  readonly requester: string;
  readonly startedAt: Date;
  readonly endedAt?: Date;
  /** Set once ended: whether it did what was asked. */
  readonly ok?: boolean;
  /** Set once ended: how (`ok`, `failed`, `cancelled`, `not_queued`, `lost`). */
  readonly outcome?: 'ok' | 'failed' | 'cancelled' | 'not_queued' | 'lost';
  readonly result?: string;
}

export interface PluginHttpRequest {
  readonly method?: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as it is; an object is sent as JSON (with `content-type: application/json` unless given). */
  readonly body?: string | object;
  /** Default 10 000, at most 60 000. */
  readonly timeoutMs?: number;
}

export interface PluginHttpResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text, at most 1 MB (a longer one is refused with `unavailable`). */
  readonly text: string;
  /** The body parsed as JSON; throws UserError('bad_input') when it is not JSON. */
  json(): unknown;
}

/** Outbound HTTP: one request, a timeout, a size cap; redirects are not followed. */
export interface PluginHttp {
  request(req: PluginHttpRequest): Promise<PluginHttpResponse>;
}

/** Secret references: `vault:<path>#<key>` (the bot's Vault) and `env:<NAME>` (the bot's environment). */
export interface PluginSecrets {
  /** The value; never logged. An unknown or unreadable reference is a UserError naming the reference, never a value. */
  get(ref: string): Promise<string>;
}

/** The ports on a plugin's context (docs/plugins.md, "The context"). */
export interface PluginPorts {
  /** The counts /status gives, read-only. */
  readonly status: PluginStatus;
  /** The team notebook: add as the caller, list, search. */
  readonly notes: PluginNotes;
  /** Device agents and their drives, read-only (/drives). */
  readonly devices: PluginDevices;
  /** Queued, running and recent burns and deploys, read-only (/jobs). */
  readonly jobs: PluginJobs;
  /** Outbound HTTP with a timeout and a size cap. */
  readonly http: PluginHttp;
  /** `vault:<path>#<key>` and `env:<NAME>` references. */
  readonly secrets: PluginSecrets;
}

/** How the composition root hands the ports to plugin commands: built per invocation (notes are added as its caller). */
export interface PluginPortsPort {
  readonly pluginPorts?: (invocation: Invocation, log: PluginPortLog) => PluginPorts;
}

/** What a port may log with (the invocation's plugin logger): never a secret, a header value or a body. */
export interface PluginPortLog {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}
