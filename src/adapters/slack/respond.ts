import type { SlackMessage } from './render.js';
import { OperatorError } from '../../core/errors.js';

/** As long as the Web API client waits for Slack (src/adapters/slack/client.ts). */
const TIMEOUT_MS = 10_000;

/**
 * Posts a later answer to a command's or a button's `response_url` (Slack keeps it valid for 30
 * minutes, five posts), as Bolt's `respond` does; a non-2xx answer is an error for the caller to log.
 * Without a response_url (Slack always sends one) there is nowhere to answer.
 */
export function respondVia(url: string | undefined): (msg: SlackMessage & { replace_original?: boolean }) => Promise<Response> {
  return async (msg) => {
    if (url === undefined) throw new Error('this Slack request came without a response_url');
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(msg), signal: AbortSignal.timeout(TIMEOUT_MS) });
    // Nothing in the answer is read: its body is let go either way.
    await res.body?.cancel();
    if (!res.ok) throw new OperatorError('platform_failed', `response_url answered ${res.status} ${res.statusText}`);
    return res;
  };
}
