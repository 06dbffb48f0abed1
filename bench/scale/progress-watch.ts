import type { DeviceClient, JobStream } from '../../src/services/devices/types.js';

/** What the agent said about one burn, timed on this process's clock (the doubles' clock too). */
export interface Timeline {
  readonly progress: { readonly at: number; readonly phase: string; readonly bytes: number }[];
  doneAt: number | undefined;
}

/**
 * Watches a burn at its agent, beside the worker, to know when each progress step was there to be
 * shown: the ground truth the live status in chat is compared with. The job reaches the agent once
 * the worker takes it, so an unknown job is asked for again until `untilMs`.
 */
export function watchBurn(devices: DeviceClient, agent: string, jobId: string, untilMs: number): { timeline: Timeline; stop(): void } {
  const timeline: Timeline = { progress: [], doneAt: undefined };
  let stream: JobStream | undefined;
  let stopped = false;
  void (async () => {
    while (!stopped && Date.now() < untilMs) {
      try {
        stream = await devices.watch(agent, jobId);
      } catch {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      for await (const e of stream) {
        if (e.type === 'progress') timeline.progress.push({ at: Date.now(), phase: e.phase, bytes: e.bytes });
        if (e.type === 'done' || e.type === 'error') {
          timeline.doneAt = Date.now();
          break;
        }
      }
      stream.close();
      return;
    }
  })();
  return {
    timeline,
    stop() {
      stopped = true;
      stream?.close();
    },
  };
}
