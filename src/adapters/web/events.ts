import type { IncomingMessage, ServerResponse } from 'node:http';
import { plainText } from '../../core/message.js';
import type { ThreadRef } from '../../core/thread.js';
import type { ThreadRelay } from '../../relay/entry.js';
import { SECURITY_HEADERS } from './respond.js';

/**
 * A job page's live events (docs/web.md, "Live updates"): the job's own thread, read through the same
 * relay `/burn watch` follows, from the oldest update kept. Each update is one event numbered by its
 * place in the thread, so a browser that reconnects with Last-Event-ID gets only what it has not seen.
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
  const seen = Number.parseInt(String(req.headers['last-event-id'] ?? ''), 10);
  const after = Number.isSafeInteger(seen) && seen >= 0 ? seen : 0;
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write('retry: 2000\n\n');
  let n = 0;
  let finished = false;
  const send = (event: string, text: string) => {
    n++;
    if (n > after) res.write(`id: ${n}\nevent: ${event}\ndata: ${JSON.stringify({ text })}\n\n`);
  };
  const following = relay.follow(thread, (e) => {
    if (e.op === 'final') {
      finished = true;
      send('final', plainText(e.text ?? ''));
      return true;
    }
    if (e.op === 'edit' || (e.op === 'reply' && e.id !== undefined && e.id === thread.statusId)) send('status', plainText(e.text ?? ''));
    else if (e.op === 'reply') send('line', plainText(e.text ?? ''));
    return false;
  });
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

/** A job known only from its durable record (no thread to follow): its last word, as event 1, and the end. */
export function sendRecorded(req: IncomingMessage, res: ServerResponse, final: string | undefined): void {
  const seen = Number.parseInt(String(req.headers['last-event-id'] ?? ''), 10);
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8' });
  if (final !== undefined && !(seen >= 1)) res.write(`id: 1\nevent: final\ndata: ${JSON.stringify({ text: final })}\n\n`);
  res.end();
}
