import type { IncomingMessage, ServerResponse } from 'node:http';
import { plainText } from '../../core/message.js';
import type { ThreadRef } from '../../core/thread.js';
import { positionOf, type ThreadRelay } from '../../relay/entry.js';
import { SECURITY_HEADERS } from './respond.js';

/**
 * A job page's live events (docs/web.md, "Live updates"): the job's own thread, read through the same
 * relay `/burn watch` follows, from the oldest update kept. Each update is one event whose id is its
 * entry's own position in the relay (a Redis stream id), so a browser that reconnects with Last-Event-ID
 * gets the entries after it, none twice and none skipped, however many older ones were trimmed since.
 * `status` is the live status line, `line` a milestone or output line, `final` the last word.
 */
export function streamJob(
  req: IncomingMessage,
  res: ServerResponse,
  relay: ThreadRelay,
  thread: ThreadRef,
  ended: () => Promise<string | undefined>,
  allowed: () => Promise<boolean>,
): void {
  // From outside: used only when it is a relay position (anything else reads from the oldest entry kept).
  const seen = req.headers['last-event-id'];
  const after = positionOf(typeof seen === 'string' ? seen : undefined);
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write('retry: 2000\n\n');
  let finished = false;
  // An event without an id (the last word from the queue, below) leaves the browser's Last-Event-ID as it was.
  const send = (event: string, text: string, at?: string) => {
    res.write(`${at === undefined ? '' : `id: ${at}\n`}event: ${event}\ndata: ${JSON.stringify({ text })}\n\n`);
  };
  const following = relay.follow(
    thread,
    (e, at) => {
      if (e.op === 'final') {
        finished = true;
        send('final', plainText(e.text ?? ''), at);
        return true;
      }
      if (e.op === 'edit' || (e.op === 'reply' && e.id !== undefined && e.id === thread.statusId)) send('status', plainText(e.text ?? ''), at);
      else if (e.op === 'reply') send('line', plainText(e.text ?? ''), at);
      return false;
    },
    after,
  );
  // Now and then: a comment keeps proxies from closing the stream, and a job that has ended without a
  // final line in the backlog (expired, or cut) still gets one, as `/burn watch` does (src/relay/apply.ts).
  const tick = setInterval(() => {
    res.write(': keep-alive\n\n');
    // Signed out, or off the allowlist, since the stream opened: it ends (docs/web.md, "Live updates").
    void allowed()
      .then((ok) => {
        if (!ok) following.stop();
      })
      .catch(() => following.stop());
    void ended()
      .then((text) => {
        if (text === undefined || finished) return;
        finished = true;
        send('final', text);
        following.stop();
      })
      .catch(() => undefined);
  }, 5_000);
  tick.unref();
  void following.done.then(() => {
    clearInterval(tick);
    res.end();
  });
  req.on('close', () => {
    clearInterval(tick);
    following.stop();
  });
}

/**
 * A job known only from its durable record (no thread to follow): its last word, as event `final`, and the
 * end. A browser that had followed the live thread (its Last-Event-ID a relay position) still gets it.
 */
export function sendRecorded(req: IncomingMessage, res: ServerResponse, final: string | undefined): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8' });
  if (final !== undefined && req.headers['last-event-id'] !== RECORDED_FINAL) res.write(`id: ${RECORDED_FINAL}\nevent: final\ndata: ${JSON.stringify({ text: final })}\n\n`);
  res.end();
}

/** The id of a recorded job's one event. */
const RECORDED_FINAL = 'final';
