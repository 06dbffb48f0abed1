import type { IncomingMessage, ServerResponse } from 'node:http';
import { plainText } from '../../core/message.js';
import type { ThreadRef } from '../../core/thread.js';
import { positionOf, type Following, type RelayEntry, type ThreadRelay } from '../../relay/entry.js';
import { SECURITY_HEADERS } from './respond.js';
import type { LiveChecks, LiveStream, StreamCheck } from './live-checks.js';

/** Events held while roles cannot be checked; past this the stream ends and the browser catches up later. */
const MAX_HELD = 1_000;

const KEEP_ALIVE = Buffer.from(': keep-alive\n\n');
const CHECKED = Buffer.from('event: checked\ndata: {}\n\n');

/**
 * A job page's live events (docs/web.md, "Live updates"): the job's own thread, read through the same
 * relay `/burn watch` follows, from the oldest update kept. Each update is one event whose id is its
 * entry's own position in the relay (a Redis stream id), so a browser that reconnects with Last-Event-ID
 * gets the entries after it, none twice and none skipped, however many older ones were trimmed since.
 * `status` is the live status line, `line` a milestone, `output` numbered output lines, `final` the
 * last word. While the viewer's roles cannot be checked (a role source that cannot answer, the rule
 * every page applies) the events are held, not sent, and the stream stays open: `unchecked` says so,
 * `checked` says they follow. Its session, roles and job are asked about in `checks`' rounds.
 */
export function streamJob(
  req: IncomingMessage,
  res: ServerResponse,
  relay: Pick<ThreadRelay, 'follow'>,
  thread: ThreadRef,
  checks: Pick<LiveChecks, 'join'>,
  who: Pick<LiveStream, 'secret' | 'job'>,
): void {
  // From outside: used only when it is a relay position (anything else reads from the oldest entry kept).
  const seen = req.headers['last-event-id'];
  const after = positionOf(typeof seen === 'string' ? seen : undefined);
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write('retry: 2000\n\n');
  let finished = false;
  /** Something was written since the last round: no keep-alive comment is needed then. */
  let wrote = true;
  /** Frames kept back while roles cannot be checked; undefined while they are written as they come. */
  let held: Buffer[] | undefined;
  /** The thread has been read to its end while frames were held: the stream ends once the re-check decides. */
  let draining = false;
  const out = (frame: Buffer | string) => {
    // Ended here (signed out, the server stopping) but not yet closed: nothing more goes.
    if (res.writableEnded) return;
    wrote = true;
    res.write(frame);
  };
  const end = () => {
    leaveRounds();
    res.end();
  };
  const write = (frame: Buffer) => {
    if (!held) out(frame);
    else if (held.length < MAX_HELD) held.push(frame);
    else {
      // Too much to hold: the stream ends, and the browser's reconnect (Last-Event-ID) catches up.
      held = undefined;
      following.stop();
    }
  };
  const following: Following = relay.follow(
    thread,
    (e, at) => {
      const frame = frameOf(e, at, thread);
      if (frame) write(frame);
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
      out(CHECKED);
      for (const f of frames) out(f);
      if (draining) end();
    } else if (!held) {
      held = [];
      out(`event: unchecked\ndata: ${JSON.stringify({ text: `Your roles could not be checked now: ${r.unchecked}. Live updates wait until they can be; you are still signed in.` })}\n\n`);
    }
  };
  // Every round: a comment keeps proxies from closing a stream that has been quiet since the last
  // one; the session and roles are asked again (signed out, off the allowlist, or roles that cannot be
  // checked, since the stream opened); and a job that has ended without a final line in the backlog
  // (expired, or cut) still gets one, as `/burn watch` does (src/relay/apply.ts).
  const leaveRounds = checks.join({
    ...who,
    round: (check, ended) => {
      if (!wrote) out(KEEP_ALIVE);
      wrote = false;
      void check.then(recheck).catch(() => recheck('gone'));
      if (draining) return;
      void ended()
        .then((text) => {
          if (text === undefined || finished) return;
          finished = true;
          write(Buffer.from(`event: final\ndata: ${JSON.stringify({ text })}\n\n`));
          following.stop();
        })
        .catch(() => undefined);
    },
  });
  void following.done.then(() => {
    // Held frames (the final line among them) wait for the re-check rather than go with the stream.
    if (held) draining = true;
    else end();
  });
  // The browser went, or the response was ended here (signed out): the page leaves the thread's read.
  const leave = () => {
    leaveRounds();
    following.stop();
  };
  req.on('close', leave);
  res.on('close', leave);
}

/**
 * The event frame an update makes, id included, encoded once however many pages are sent it (the entry
 * is the one object SharedFollows hands to every page on the thread): each page writes the same bytes.
 * `close` makes none.
 */
const encoded = new WeakMap<RelayEntry, Buffer | null>();
function frameOf(e: RelayEntry, at: string, thread: ThreadRef): Buffer | null {
  const known = encoded.get(e);
  if (known !== undefined) return known;
  const ev = eventOf(e, thread);
  const frame = ev ? Buffer.from(`id: ${at}\nevent: ${ev.event}\ndata: ${ev.data}\n\n`) : null;
  encoded.set(e, frame);
  return frame;
}

function eventOf(e: RelayEntry, thread: ThreadRef): { event: string; data: string } | null {
  const text = () => JSON.stringify({ text: plainText(e.text ?? '') });
  if (e.op === 'final') return { event: 'final', data: text() };
  if (e.op === 'edit' || (e.op === 'reply' && e.id !== undefined && e.id === thread.statusId)) return { event: 'status', data: text() };
  if (e.op === 'reply') return { event: 'line', data: text() };
  if (e.op === 'output' && e.lines) return { event: 'output', data: JSON.stringify({ lines: e.lines }) };
  return null;
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
