import { expect } from 'vitest';
import { until } from './until.js';
import type { WebBot } from './web-bot.js';

export interface OpenStream {
  /** The event text read so far. */
  text: string;
  /** True once the server ended the stream. */
  done: boolean;
  /** Settles when the stream has ended. */
  closed: Promise<void>;
  /** Waits until the text so far matches `re`. */
  until(re: RegExp): Promise<unknown>;
}

/** A job's live events (`/web/jobs/<id>/events`) as a browser reads them: the text so far, waited on by pattern. */
export async function openStream(b: WebBot, id: string, cookie: string): Promise<OpenStream> {
  const res = await fetch(`${b.base}/web/jobs/${id}/events`, { headers: { cookie } });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const s: OpenStream = { text: '', done: false, closed: Promise.resolve(), until: (re: RegExp) => until(() => re.test(s.text), { what: `${re} in the stream:\n${s.text}` }) };
  s.closed = (async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read()) s.text += decoder.decode(r.value, { stream: true });
    s.done = true;
  })();
  return s;
}
