import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LiveThread } from '../../src/core/live-thread.js';
import type { ThreadRef } from '../../src/core/thread.js';
import { ThreadReporter } from '../../src/jobs/reporter.js';
import { JobRecorder } from '../../src/jobs/job-recorder.js';
import { MemoryJobLog } from '../../src/services/job-log/memory.js';
import { WorkerStopping } from '../../src/services/queue/worker-stopping.js';
import { burnProcessor } from '../../src/jobs/burn.js';
import { Transports } from '../../src/relay/transports.js';
import type { BurnResult, DeviceClient, JobEvent, JobStream } from '../../src/services/devices/types.js';
import { RecordingTransport } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

describe('ThreadReporter', () => {
  it('queues milestones without holding up the job, edits the final status at once, and posts the final line last', async () => {
    const gate: (() => void)[] = [];
    const t = new RecordingTransport(0);
    const post = t.postReply.bind(t);
    // A channel whose post budget is busy: every reply waits until the test lets it through.
    t.postReply = (ref: ThreadRef, text: string) => new Promise<void>((r) => gate.push(r)).then(() => post(ref, text));
    const ref: ThreadRef = { platform: 'test', channel: 'room', rootId: 'm0', statusId: 's1', requester: { key: 'console:al', name: 'al' } };
    const out = new ThreadReporter(LiveThread.reopen(t, ref), pino({ level: 'silent' }));
    out.milestone('writing');
    out.milestone('verifying…');
    // A newer status in the same moment is coalesced away: only the final one is edited in.
    out.status('verifying 50%');
    const finished = out.finish('ok', '✔ done', 'finished', { result: undefined });
    for (let released = 0; released < 3; released++) {
      await until(() => gate.length > 0);
      gate.shift()!();
    }
    await finished;
    expect(t.messages.map((m) => `${m.kind} ${m.text}`)).toEqual(['edit ✔ done', 'reply writing', 'reply verifying…', 'reply @al finished']);
  });
});

describe('ThreadReporter and the job record', () => {
  it('records the outcome the processor gives, whatever the final status says; the first end stays', async () => {
    const store = new MemoryJobLog();
    const log = pino({ level: 'silent' });
    const start = { kind: 'deploy' as const, summary: 'deploy of site main', requester: 'al', requesterKey: 'console:al', startedAt: new Date() };
    const cases = [
      ['r-ok', 'ok', '✘ exit 0 · 0:01'],
      ['r-cancelled', 'cancelled', '✔ cancelled'],
      ['r-lost', 'lost', 'agent lost'],
    ] as const;
    for (const [id, outcome, status] of cases) {
      const out = new ThreadReporter(undefined, log, new JobRecorder(store, id, { id, ...start }, log));
      await out.finish(outcome, status, `${id} ended`, { result: undefined });
      expect(out.ended).toBe(true);
      await new ThreadReporter(undefined, log, new JobRecorder(store, id, { id, ...start }, log)).finish('failed', '✘ failed', 'a second end', { result: undefined });
    }
    expect((await store.history(10)).map((r) => [r.id, r.outcome, r.ok, r.result]).sort()).toEqual([
      ['r-cancelled', 'cancelled', false, 'r-cancelled ended'],
      ['r-lost', 'lost', false, 'r-lost ended'],
      ['r-ok', 'ok', true, 'r-ok ended'],
    ]);
  });
});

describe('a burn whose stream breaks past its ends', () => {
  it('still ends its thread and its record once, as failed', async () => {
    const { store, t, run, data } = brokenBurn();
    await expect(run('bbrk001', data, () => undefined)).rejects.toThrow('the stream broke');
    expect(await store.get('bbrk001')).toMatchObject({ outcome: 'failed', result: 'burn of release.iso on d1 failed: the stream broke' });
    expect(t.messages.filter((m) => m.kind === 'reply').map((m) => m.text)).toEqual(['writing release.iso to d1', '@al burn of release.iso on d1 failed: the stream broke']);
  });

  it('is no failure while its worker stops (the device client closed under it): nothing ended, the next worker re-attaches', async () => {
    const { store, t, run, data } = brokenBurn(true);
    await expect(run('bbrk001', data, () => undefined)).rejects.toBeInstanceOf(WorkerStopping);
    expect((await store.get('bbrk001'))?.endedAt).toBeUndefined();
    expect(t.messages.filter((m) => m.kind === 'reply').map((m) => m.text)).toEqual(['writing release.iso to d1']);
  });
});

/** A burn processor whose agent stream yields one progress event and then throws; with `stops`, its worker is stopping by then. */
function brokenBurn(stops = false) {
  let stopping = false;
  const store = new MemoryJobLog();
  const t = new RecordingTransport(0);
  const transports = new Transports();
  transports.add(t);
  const requester = { key: 'console:al', name: 'al' };
  const ref: ThreadRef = { platform: 'test', channel: 'room', rootId: 'm0', statusId: 's1', requester };
  const broken: JobStream = {
    agent: 'a1',
    jobId: 'bbrk001',
    attached: false,
    close: () => undefined,
    async *[Symbol.asyncIterator]() {
      yield { type: 'progress', jobId: 'bbrk001', phase: 'writing', bytes: 1, total: 10, rate: 1 } as JobEvent<BurnResult>;
      stopping = stops;
      throw new Error('the stream broke');
    },
  } as unknown as JobStream;
  const devices = { status: async () => ({ state: 'unknown' }), burn: async () => broken } as unknown as DeviceClient;
  const run = burnProcessor({ devices, transports, log: pino({ level: 'silent' }), jobLog: store, stopping: () => stopping });
  const data = { agent: 'a1', drive: 'd1', image: 'release.iso', verify: true, requester, thread: ref, requestedAt: new Date().toISOString() };
  return { store, t, run, data };
}

