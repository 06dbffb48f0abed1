import { z } from 'zod';
import { childProtocol, wallNow } from './child.js';

/**
 * `node page-clients.js <base> <job id> <cookies json>`: one browser per session cookie, each loading
 * the job's page and then following its live events (`/web/jobs/<id>/events`) to the final one, as
 * live.js does. Each notes when every event arrived: `[id, event, at]` (the id is the relay entry's position). These are the load, not what is
 * measured; they run in a process of their own so their work is not the server's.
 */
const [base, id, cookiesJson] = process.argv.slice(2);
const cookies = z.array(z.string()).parse(JSON.parse(cookiesJson ?? '[]'));
type Seen = [string, string, number];
const streams: Response[] = [];

async function open(cookie: string): Promise<void> {
  const page = await fetch(`${base}/web/jobs/${id}`, { headers: { cookie } });
  if (page.status !== 200) throw new Error(`the job page answered ${page.status}`);
  await page.text();
  const res = await fetch(`${base}/web/jobs/${id}/events`, { headers: { cookie } });
  if (res.status !== 200 || !res.body) throw new Error(`the events answered ${res.status}`);
  streams.push(res);
}

async function follow(res: Response): Promise<Seen[]> {
  const seen: Seen[] = [];
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    const at = wallNow();
    buf += decoder.decode(chunk, { stream: true });
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const frame = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const id = /^id: (\S+)$/m.exec(frame)?.[1];
      const event = /^event: (\w+)$/m.exec(frame)?.[1];
      if (id && event) seen.push([id, event, at]);
    }
  }
  return seen;
}

await childProtocol(
  async () => void (await Promise.all(cookies.map(open))),
  () => Promise.all(streams.map(follow)),
);
