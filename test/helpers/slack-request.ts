import { slackSignature } from './slack-double.js';

export interface SlashFields {
  readonly command: string;
  readonly text?: string;
  readonly user_id?: string;
  readonly user_name?: string;
  readonly team_id?: string;
  readonly channel_id?: string;
  readonly trigger_id?: string;
  readonly response_url?: string;
}

export interface PostOptions {
  readonly secret: string;
  /** Seconds since the epoch; defaults to now. */
  readonly timestamp?: number;
  readonly retryNum?: number;
  /** Changes the body after signing. */
  readonly tamper?: (body: string) => string;
}

export interface PostResult {
  readonly status: number;
  readonly text: string;
  readonly json?: Record<string, unknown>;
  readonly ms: number;
}

let triggers = 0;

/** The form body Slack sends for a slash command, with defaults for everything but the command. */
export function slashBody(f: SlashFields): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: f.team_id ?? 'T1',
    team_domain: 'example',
    channel_id: f.channel_id ?? 'C1',
    channel_name: 'ops',
    user_id: f.user_id ?? 'UADMIN',
    user_name: f.user_name ?? 'alice',
    command: f.command,
    text: f.text ?? '',
    api_app_id: 'A1',
    is_enterprise_install: 'false',
    response_url: f.response_url ?? 'http://127.0.0.1:9/unused',
    trigger_id: f.trigger_id ?? `trigger-${process.pid}-${++triggers}-${Date.now()}`,
  }).toString();
}

/** A signed slash command POST, ready to send: benchmarks build it before their clock starts. */
export function signedPost(body: string, secret: string): { method: 'POST'; headers: Record<string, string>; body: string } {
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(secret, timestamp, body) },
    body,
  };
}

/** A signed, form-encoded POST, as Slack delivers a slash command. */
export async function postSigned(url: string, body: string, o: PostOptions): Promise<PostResult> {
  const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(o.secret, timestamp, body),
  };
  if (o.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(o.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body: o.tamper ? o.tamper(body) : body });
  const text = await res.text();
  const ms = performance.now() - started;
  let json: Record<string, unknown> | undefined;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, ms };
}
