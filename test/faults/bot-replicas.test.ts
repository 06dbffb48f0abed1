import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBotChild, type BotChild } from '../helpers/bot-child.js';
import type { HookServer } from '../helpers/hook-server.js';
import { REDIS_URL } from '../helpers/redis.js';
import { RoundRobinProxy } from '../helpers/round-robin-proxy.js';
import { signedPost, slashBody } from '../helpers/slack-request.js';
import { until } from '../helpers/until.js';
import { UNQUEUED_TEXT } from '../../src/jobs/unqueued.js';
import { TOLD_AGAIN } from '../../src/jobs/final-line.js';
import { faultWorld } from '../helpers/fault-world.js';

const SECRET = 'replicas-signing-secret';
const REQUESTS = 120;
const IN_FLIGHT = 4;
/** Answers before replica 0 is SIGKILLed: the load is well under way. */
const KILL_AFTER = 40;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

interface Asked {
  readonly i: number;
  readonly line: string;
  readonly status: number;
  readonly backend?: string;
  readonly text: string;
  readonly ms: number;
  /** Sent once the killed replica had exited. */
  readonly afterKill: boolean;
}

/** Request `i`: a deploy of its own target (a target runs one deploy at a time; a BullMQ job with its thread), a /whoami or a /deploy list; each in its own channel, so its audit row is found by room. */
function lineOf(i: number): { command: string; text: string } {
  return i % 3 === 0 ? { command: '/deploy', text: `t${i} v${i}` } : i % 3 === 1 ? { command: '/whoami', text: '' } : { command: '/deploy', text: 'list' };
}

/** `respond` receives what the bot sends to the request's response_url (an answer past the ack budget). */
/** The answer: in the ack, or (acked empty once the ack budget ran out, docs/slack.md) what reached the response_url. */
async function answerOf(a: Asked, respond: HookServer): Promise<string> {
  if (a.text) return a.text;
  const sent = await until(() => respond.requests.find((r) => r.path === `/respond/${a.i}`), { what: `the answer to ${a.line} at its response_url` });
  return String((JSON.parse(sent.body) as { text?: unknown }).text);
}

async function ask(base: string, respond: HookServer, i: number, afterKill: boolean): Promise<Asked> {
  const { command, text } = lineOf(i);
  const body = slashBody({ command, text, user_id: 'UDEP', user_name: 'dee', channel_id: `C${i}`, response_url: respond.url(`/respond/${i}`) });
  const line = `${command} ${text}`.trim();
  const started = performance.now();
  try {
    const res = await fetch(`${base}/slack/events`, signedPost(body, SECRET));
    const raw = await res.text();
    const json = res.headers.get('content-type')?.includes('json') ? (JSON.parse(raw) as { text?: string }) : undefined;
    const ms = performance.now() - started;
    return { i, line, status: res.status, backend: res.headers.get('x-backend') ?? undefined, text: json?.text ?? raw, ms, afterKill };
  } catch (err) {
    return { i, line, status: 0, text: String(err), ms: performance.now() - started, afterKill };
  }
}

/**
 * Issue 28 item 5 (docs/hosting.md, "Several replicas"): two `opsline start` processes with MySQL audit,
 * Redis and BullMQ behind a round-robin proxy; one is SIGKILLed while signed Slack commands keep coming.
 * A request in flight on the dead replica may be lost (Slack does not redeliver); everything else holds.
 */
describe('fault: SIGKILL of one of two bot replicas under load', () => {
  it('leaves nothing half-done, runs every queued job once, fires the schedule once a tick, and loses no audit row of an answered request', async () => {
    const { db, redis, slack, hooks, dir } = await faultWorld(cleanups, 'replicas');
    const configPath = join(dir, 'opsline.yaml');
    await writeFile(
      configPath,
      JSON.stringify({
        log: { level: 'info' },
        http: { port: 0, host: '127.0.0.1' },
        // The double enforces no limits; the default edit budget (45 a minute) would pace 40 threads' edits over a minute.
        slack: { signingSecret: SECRET, botToken: 'xoxb-test', apiUrl: slack.apiUrl, rateLimits: { updatesPerMinute: 3000 } },
        mysql: { url: db.appUrl() },
        redis: { url: REDIS_URL, prefix: redis.prefix },
        // A dead worker's job moves on after 2 s (30 s by default).
        jobs: { lockDurationMs: 2000, stalledIntervalMs: 500 },
        access: { users: [{ key: 'slack:T1:UDEP', name: 'dee', roles: ['deployer'] }] },
        deploy: { targets: Array.from({ length: REQUESTS / 3 }, (_, k) => ({ name: `t${3 * k}`, kind: 'webhook', url: hooks.url('/ok'), body: '{"ref":"{ref}"}' })) },
        schedules: [{ name: 'tick', every: '1s', command: '/deploy list', post: { platform: 'slack', channel: 'CSCHED' } }],
      }),
    );
    // A crowded machine (the fault suite runs beside nothing, but a developer's may not) can take long to start two bots.
    const bots: BotChild[] = [await startBotChild(configPath, 60_000), await startBotChild(configPath, 60_000)];
    for (const b of bots) cleanups.push(() => b.stop('SIGKILL'));
    const proxy = await new RoundRobinProxy(bots.map((b) => b.base)).start();
    cleanups.push(() => proxy.stop());

    // The load: IN_FLIGHT requests at a time; replica 0 is killed once KILL_AFTER have been answered.
    const asked: Asked[] = [];
    let next = 0;
    let killed: Promise<unknown> | undefined;
    let exited = false;
    let killedAt = 0;
    const lane = async () => {
      while (next < REQUESTS) {
        const i = next++;
        asked.push(await ask(proxy.base, hooks, i, exited));
        if (asked.length === KILL_AFTER && !killed) {
          killed = bots[0]!.stop('SIGKILL').then(() => ((exited = true), (killedAt = Date.now())));
        }
      }
    };
    const t0 = Date.now();
    const phase = (what: string) => process.stderr.write(`bot replicas: ${what} at ${Date.now() - t0} ms\n`);
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    phase('load done');
    await killed;
    expect(exited).toBe(true);

    // Lost: only requests in flight on the dead replica, each answered 502 by the proxy. Counted, not required.
    const lost = asked.filter((a) => a.status !== 200);
    const ms = asked.map((a) => a.ms).sort((x, y) => x - y);
    process.stderr.write(`bot replicas: ${lost.length} of ${REQUESTS} requests were in flight on the killed replica and lost; answer p50 ${Math.round(ms[ms.length >> 1]!)} ms, max ${Math.round(ms.at(-1)!)} ms; empty acks ${asked.filter((a) => a.status === 200 && !a.text).length}\n`);
    for (const a of lost) expect([a.line, a.status, a.backend, a.afterKill]).toEqual([a.line, 502, '0', false]);
    // The survivor answers everything after, and the proxy stopped sending to the dead one.
    const after = asked.filter((a) => a.afterKill);
    expect(after.length).toBeGreaterThan(20);
    for (const a of after) expect([a.line, a.status, a.backend]).toEqual([a.line, 200, '1']);
    expect(proxy.down).toEqual(new Set([0]));
    // Both replicas answered before the kill.
    expect(new Set(asked.filter((a) => !a.afterKill && a.status === 200).map((a) => a.backend))).toEqual(new Set(['0', '1']));

    // No audit row lost for a change that got a 200: each was stored before its reply left (read now, nothing
    // flushed). A read (/whoami, /deploy list) is answered before its row is written (mysql.auditBeforeReply:
    // changes): the survivor's are written within 200 ms, the killed replica's last ones may be lost (counted).
    const answered = asked.filter((x) => x.status === 200);
    const isChange = (a: Asked) => /^\/deploy t\d+/.test(a.line);
    const countRows = async () => {
      const rows = await db.sql<{ room: string; command: string; job_id: string | null; n: number }>(
        'SELECT room, command, MAX(job_id) AS job_id, COUNT(*) AS n FROM audit_log GROUP BY room, command',
      );
      return new Map(rows.map((r) => [r.room, r]));
    };
    let byRoom = await countRows();
    for (const a of answered.filter(isChange)) expect([a.line, Number(byRoom.get(`C${a.i}`)?.n)]).toEqual([a.line, 1]);
    const survivorsReads = answered.filter((a) => !isChange(a) && a.backend === '1');
    await until(async () => {
      byRoom = await countRows();
      return survivorsReads.every((a) => Number(byRoom.get(`C${a.i}`)?.n) === 1);
    }, { what: "the survivor's batched audit rows of reads" });
    const deadReads = answered.filter((a) => !isChange(a) && a.backend === '0');
    for (const a of deadReads) expect(Number(byRoom.get(`C${a.i}`)?.n ?? 0)).toBeLessThanOrEqual(1);
    process.stderr.write(`bot replicas: ${deadReads.filter((a) => !byRoom.get(`C${a.i}`)).length} of ${deadReads.length} reads answered by the killed replica lost their audit row\n`);
    // A lost request left at most one row (it may have been stored before the kill).
    for (const a of lost) expect(Number(byRoom.get(`C${a.i}`)?.n ?? 0)).toBeLessThanOrEqual(1);

    // Deploys: every thread root names its job, and every job reports in its own thread, whoever ran it.
    const roots = () =>
      slack.callsOf('chat.postMessage').filter((c) => !c.body.thread_ts && /^deploying t\d+ at v\d+ /.test(String(c.body.text)));
    const finals = (ts: unknown) =>
      slack.callsOf('chat.postMessage').filter((c) => c.body.thread_ts === ts && (/^<@UDEP> deploy of t\d+ v\d+ /.test(String(c.body.text)) || c.body.text === `<@UDEP> ${UNQUEUED_TEXT}`));
    const queued = asked.filter((a) => a.status === 200 && /^\/deploy t\d+/.test(a.line));
    expect(queued.length).toBeGreaterThan(25);
    for (const q of queued) expect(await answerOf(q, hooks), q.line).toMatch(new RegExp(`^deploy job d[a-z0-9]{6} of t${q.i} at v${q.i} queued`));
    // A replica killed while Slack took a thread's root (or the status under it) never learnt the root's id: the
    // survivor tells the root's channel instead, naming the job (docs/hosting.md, "What a SIGKILL loses").
    const lostRooms = new Set(lost.map((a) => `C${a.i}`));
    const inChannel = (channel: unknown) =>
      slack.callsOf('chat.postMessage').filter((c) => c.body.channel === channel && !c.body.thread_ts && new RegExp(`^<@UDEP> deploy of t\\d+ v\\d+ \\(job d[a-z0-9]{6}\\): ${UNQUEUED_TEXT}$`).test(String(c.body.text)));
    const orphan = (r: (typeof slack.calls)[number]) => finals(r.response?.ts).length === 0 && inChannel(r.body.channel).length > 0;
    await until(() => roots().every((r) => finals(r.response?.ts).length > 0 || orphan(r)), {
      timeoutMs: 60_000,
      what: () => {
        const open = roots().filter((r) => finals(r.response?.ts).length === 0).map((r) => String(r.body.text));
        const ids = open.map((t) => /\(job (d[a-z0-9]{6})\)/.exec(t)?.[1] ?? '?');
        const said = bots.flatMap((b, n) => b.output().split('\n').filter((l) => ids.some((id) => l.includes(id))).map((l) => `[${n}] ${l.slice(0, 400)}`));
        const inThreads = slack.calls.filter((c) => roots().some((r) => open.includes(String(r.body.text)) && (c.body.thread_ts === r.response?.ts || c.body.ts === r.response?.ts))).map((c) => `${c.method} ${String(c.body.text).slice(0, 100)}`);
        return `a final line in every deploy thread; without one: ${open.join(' | ')}\n${said.join('\n')}\n${inThreads.join('\n')}`;
      },
    });
    phase('every thread ended');
    let unqueued = 0;
    let toldAgain = 0;
    let mayHave = 0;
    let orphans = 0;
    for (const root of roots()) {
      const [, target, ref] = /^deploying (t\d+) at (v\d+) /.exec(String(root.body.text))!;
      const job = /\(job (d[a-z0-9]{6})\)/.exec(String(root.body.text))![1]!;
      const ends = finals(root.response?.ts).map((c) => String(c.body.text));
      if (orphan(root)) {
        // Its request was in flight on the killed replica; its channel was told once, naming this job, and nothing ran.
        expect(lostRooms, ref).toContain(root.body.channel);
        expect(inChannel(root.body.channel).map((c) => c.body.text)).toEqual([`<@UDEP> deploy of ${target} ${ref} (job ${job}): ${UNQUEUED_TEXT}`]);
        expect(hooks.requests.filter((r) => r.path === '/ok' && r.body === `{"ref":"${ref}"}`)).toEqual([]);
        orphans++;
        continue;
      }
      if (ends[0] === `<@UDEP> ${UNQUEUED_TEXT}`) {
        // Its replica died between the thread and the queue: the survivor said so, freed the target, and nothing ran.
        expect(ends).toEqual([`<@UDEP> ${UNQUEUED_TEXT}`]);
        expect(lost.map((a) => `C${a.i}`), ref).toContain(root.body.channel);
        expect(hooks.requests.filter((r) => r.path === '/ok' && r.body === `{"ref":"${ref}"}`)).toEqual([]);
        // A /deploy list (request 1001 is one) shows the target free again.
        const list = await ask(proxy.base, hooks, 1001, true);
        expect(await answerOf(list, hooks)).toMatch(new RegExp(`^${target} \\(webhook\\): unlocked`, 'm'));
        unqueued++;
        continue;
      }
      // One final line; a job its worker died in is reported as such by the next worker, never sent twice. A worker
      // killed after telling the end (before BullMQ recorded it) leaves the end marked: the next worker adds nothing.
      // The window left (docs/hosting.md, "What a SIGKILL loses"): killed while posting the line, before it was marked
      // told; the next worker posts the same words again, saying so (the first may or may not have reached the thread).
      const end = new RegExp(`^<@UDEP> deploy of ${target} ${ref} (finished ✔.*|.*may have been sent.*)$`);
      expect(ends.length === 1 || (ends.length === 2 && ends[1] === `${ends[0]} ${TOLD_AGAIN}`), `${ref}: ${JSON.stringify(ends)}`).toBe(true);
      expect(ends[0], ref).toMatch(end);
      if (ends.at(-1)!.endsWith(TOLD_AGAIN)) toldAgain++;
      if (ends[0]!.includes('may have been sent')) mayHave++;
      const calls = hooks.requests.filter((r) => r.path === '/ok' && r.body === `{"ref":"${ref}"}`).length;
      expect([ref, calls]).toEqual([ref, ends[0]!.includes('finished ✔') ? 1 : calls > 1 ? -1 : calls]);
      // Its channel's audit row names the job when the reply got through.
      const row = byRoom.get(String(root.body.channel));
      if (row) expect(row.job_id).toBe(job);
    }
    // A channel is told only for a request lost with the killed replica (its root may never have reached Slack), once.
    const toldChannels = slack.callsOf('chat.postMessage').filter((c) => !c.body.thread_ts && String(c.body.text).endsWith(UNQUEUED_TEXT));
    for (const c of toldChannels) expect([c.body.channel, inChannel(c.body.channel).length, lostRooms.has(String(c.body.channel))]).toEqual([c.body.channel, 1, true]);
    // Each queued reply has its thread, and no thread exists without a request that asked for it.
    for (const q of queued) expect(roots().filter((r) => r.body.channel === `C${q.i}`), q.line).toHaveLength(1);
    expect(roots().length).toBeLessThanOrEqual(queued.length + lost.length);
    // Every webhook call belongs to a thread.
    const refs = new Set(roots().map((r) => /^deploying t\d+ at (v\d+) /.exec(String(r.body.text))![1]));
    for (const h of hooks.requests.filter((r) => r.path === '/ok')) expect(refs).toContain(/"ref":"(v\d+)"/.exec(h.body)![1]);

    // The schedule: ticks go on after the kill, each posted once.
    // A long /deploy list is split: its first part starts the tick, the rest follow in its thread.
    const ticks = () => slack.callsOf('chat.postMessage').filter((c) => c.body.channel === 'CSCHED' && !c.body.thread_ts);
    await until(() => ticks().filter((c) => c.at > killedAt + 1000).length >= 2, { timeoutMs: 20_000, what: 'two ticks after the kill' });
    phase('ticks seen');
    // A long answer is split in numbered parts (`1/2` on its first line), the rest in the tick's thread.
    const heads = ticks().map((c) => /^(?:\d+\/\d+\n)?(\[tick [^\]]+\])/.exec(String(c.body.text))?.[1]);
    expect(heads.every(Boolean), JSON.stringify(heads)).toBe(true);
    expect(new Set(heads).size, JSON.stringify(heads)).toBe(heads.length);

    process.stderr.write(`bot replicas: ${toldAgain} thread(s) whose end was told again (killed while posting it, the window above)\n`);
    process.stderr.write(`bot replicas: ${mayHave} thread(s) whose webhook may have been sent (killed while calling it)\n`);
    const took = (...what: string[]) => bots[1]!.output().split('\n').filter((l) => what.every((w) => l.includes(w))).length;
    process.stderr.write(
      `bot replicas: from the killed replica's end marks, the survivor ended ${took('settled as told')} job(s) told (no word), ${took('told here', '"state":"decided"')} decided (their line, once), ${took('told here', '"state":"posting"')} posting (said again)\n`,
    );
    process.stderr.write(`bot replicas: ${orphans} thread(s) whose root the killed replica never learnt, told in their channel by the survivor (${toldChannels.length} channel message(s) in all)\n`);
    process.stderr.write(`bot replicas: ${unqueued} thread(s) left between thread and queue by the killed replica, closed by the survivor\n`);
    // And the survivor still answers through the proxy.
    // (request 1000 is a /whoami)
    const last = await ask(proxy.base, hooks, 1000, true);
    expect([last.status, last.backend, last.text]).toEqual([200, '1', expect.stringMatching(/dee/)]);
  }, 120_000);
});
