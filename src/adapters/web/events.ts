import type { IncomingMessage, ServerResponse } from 'node:http';
import { plainText } from '../../core/message.js';
import type { ThreadRef } from '../../core/thread.js';
import { positionOf, type Following, type RelayEntry, type ThreadRelay } from '../../relay/entry.js';
import { SECURITY_HEADERS } from './respond.js';

/** What a stream's re-check says (routes.ts: the gate's rule, then the page's own): go on, hold, or end. */
export type StreamCheck = 'ok' | 'gone' | { readonly unchecked: string };

/** How often an open stream asks whether its job has ended and whether its viewer may still see it. */
const CHECK_MS = 5_000;
/** Events held while roles cannot be checked; past this the stream ends and the browser catches up later. */
const MAX_HELD = 1_000;

/**
 * A job page's live events (docs/web.md, "Live updates"): the job's own thread, read through the same
 * relay `/burn watch` follows, from the oldest update kept. Each update is one event whose id is its
 * entry's own position in the relay (a Redis stream id), so a browser that reconnects with Last-Event-ID
 * gets the entries after it, none twice and none skipped, however many older ones were trimmed since.
 * `status` is the live status line, `line` a milestone, `output` numbered output lines, `final` the
 * last word. While the viewer's roles cannot be checked (a role source that cannot answer, the rule
 * every page applies) the events are held, not sent, and the stream stays open: `unchecked` says so,
 * `checked` says they follow.
 */
export function streamJob(
  req: IncomingMessage,
  res: ServerResponse,
  relay: Pick<ThreadRelay, 'follow'>,
  thread: ThreadRef,
  ended: () => Promise<string | undefined>,
  allowed: () => Promise<StreamCheck>,
): void {
  // From outside: used only when it is a relay position (anything else reads from the oldest entry kept).
  const seen = req.headers['last-event-id'];
  const after = positionOf(typeof seen === 'string' ? seen : undefined);
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write('retry: 2000\n\n');
  let finished = false;
  /** Frames kept back while roles cannot be checked; undefined while they are written as they come. */
  let held: string[] | undefined;
  /** The thread has been read to its end while frames were held: the stream ends once the re-check decides. */
  let draining = false;
  const end = () => {
    clearInterval(tick);
    res.end();
  };
  const write = (frame: string) => {
    if (!held) res.write(frame);
    else if (held.length < MAX_HELD) held.push(frame);
    else {
      // Too much to hold: the stream ends, and the browser's reconnect (Last-Event-ID) catches up.
      held = undefined;
      following.stop();
    }
  };
  // An event without an id (the last word from the queue, below) leaves the browser's Last-Event-ID as it was.
  const send = (event: string, data: string, at?: string) => write(`${at === undefined ? '' : `id: ${at}\n`}event: ${event}\ndata: ${data}\n\n`);
  const following: Following = relay.follow(
    thread,
    (e, at) => {
      const ev = eventOf(e, thread);
      if (ev) send(ev.event, ev.data, at);
      if (e.op !== 'final') return false;
      finished = true;
      return true;
    },
    after,
  );
  const recheck = (r: StreamCheck) => {
    if (r === 'gone') {
      held = undefined;
      following.stop();
      if (draining) end();
    } else if (r === 'ok') {
      if (!held) return;
      const frames = held;
      held = undefined;
      res.write('event: checked\ndata: {}\n\n');
      for (const f of frames) res.write(f);
      if (draining) end();
    } else if (!held) {
      held = [];
      res.write(`event: unchecked\ndata: ${JSON.stringify({ text: `Your roles could not be checked now: ${r.unchecked}. Live updates wait until they can be; you are still signed in.` })}\n\n`);
    }
  };
  // Now and then: a comment keeps proxies from closing the stream, and a job that has ended without a
  // final line in the backlog (expired, or cut) still gets one, as `/burn watch` does (src/relay/apply.ts).
  const tick = setInterval(() => {
    res.write(': keep-alive\n\n');
    // Signed out, off the allowlist, or roles that cannot be checked, since the stream opened.
    void allowed()
      .then(recheck)
      .catch(() => recheck('gone'));
    if (draining) return;
    void ended()
      .then((text) => {
        if (text === undefined || finished) return;
        finished = true;
        send('final', JSON.stringify({ text }));
        following.stop();
      })
      .catch(() => undefined);
  }, CHECK_MS);
  tick.unref();
  void following.done.then(() => {
    // Held frames (the final line among them) wait for the re-check rather than go with the stream.
    if (held) draining = true;
    else end();
  });
  // The browser went, or the response was ended here (signed out): the page leaves the thread's read.
  const leave = () => {
    clearInterval(tick);
    following.stop();
  };
  req.on('close', leave);
  res.on('close', leave);
}

/**
 * The event an update makes, encoded once however many pages are sent it (the entry is the one object
 * SharedFollows hands to every page on the thread); `close` makes none.
 */
const encoded = new WeakMap<RelayEntry, { event: string; data: string } | null>();
function eventOf(e: RelayEntry, thread: ThreadRef): { event: string; data: string } | null {
  const known = encoded.get(e);
  if (known !== undefined) return known;
  const text = () => JSON.stringify({ text: plainText(e.text ?? '') });
  let ev: { event: string; data: string } | null = null;
  if (e.op === 'final') ev = { event: 'final', data: text() };
  else if (e.op === 'edit' || (e.op === 'reply' && e.id !== undefined && e.id === thread.statusId)) ev = { event: 'status', data: text() };
  else if (e.op === 'reply') ev = { event: 'line', data: text() };
  else if (e.op === 'output' && e.lines) ev = { event: 'output', data: JSON.stringify({ lines: e.lines }) };
  encoded.set(e, ev);
  return ev;
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
