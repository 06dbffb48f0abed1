import type { Logger } from 'pino';
import type { SlackMessage } from './render.js';

/** Slack takes at most five posts to one response_url (in 30 minutes). */
const RESPONSE_URL_POSTS = 5;

/** Where a command's answer can go: the ack (once, within 3 s), its response_url, and the channel. */
export interface AnswerIO {
  /** Undefined once the request has been acked (an empty ack when the answer came late). */
  readonly ack?: (msg?: SlackMessage) => Promise<void>;
  readonly respond: (msg: SlackMessage) => Promise<unknown>;
  /** Posts rendered parts as the bot: the first in the channel, the rest in a thread under it. */
  readonly postSplit: (texts: readonly string[]) => Promise<void>;
  readonly log: Logger;
}

/**
 * Delivers an answer of one or more numbered parts (docs/architecture.md, "Long replies"). One part:
 * in the ack, or through response_url. Several in the channel: the first as a channel message, the
 * rest in a thread under it (an ack has no ts to thread under); if the bot cannot post there, as
 * response_url posts. Several ephemeral ones: an ephemeral message has no thread, so they follow as
 * response_url posts, in order. Past Slack's five posts, the last one says what was not shown.
 */
export async function deliverAnswer(io: AnswerIO, parts: readonly SlackMessage[]): Promise<void> {
  if (parts.length > 1 && parts[0]?.response_type === 'in_channel') {
    await io.ack?.().catch((err: unknown) => io.log.warn({ err }, 'the empty ack failed'));
    try {
      await io.postSplit(parts.map((p) => p.text));
      return;
    } catch (err) {
      io.log.warn({ err }, 'could not post the long reply in the channel; answering through response_url');
      return inOrder({ ...io, ack: undefined }, parts);
    }
  }
  return inOrder(io, parts);
}

async function inOrder(io: AnswerIO, parts: readonly SlackMessage[]): Promise<void> {
  let rest = parts;
  const first = rest[0];
  if (io.ack && first) {
    rest = rest.slice(1);
    try {
      await io.ack(first);
    } catch (err) {
      io.log.warn({ err }, 'the ack failed; answering through response_url');
      rest = parts;
    }
  }
  for (const msg of fitPosts(rest, parts.length)) {
    // One at a time, so they arrive in order; a failed one does not stop the others.
    await io.respond(msg).catch((err: unknown) => io.log.warn({ err }, 'reply through response_url failed'));
  }
}

/** At most five posts; past that, the fifth says which parts were not shown and why. */
function fitPosts(posts: readonly SlackMessage[], total: number): readonly SlackMessage[] {
  if (posts.length <= RESPONSE_URL_POSTS) return posts;
  const shown = posts.slice(0, RESPONSE_URL_POSTS - 1);
  const from = total - posts.length + shown.length + 1;
  const notice = `parts ${from}–${total} of ${total} are not shown: Slack takes at most ${RESPONSE_URL_POSTS} follow-ups to one command; ask for less (a smaller number, a narrower search)`;
  return [...shown, { text: notice, response_type: posts[0]?.response_type ?? 'ephemeral' }];
}
