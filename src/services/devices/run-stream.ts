import type { RunResult } from '../../protocol/index.js';
import type { DeviceErrorCode } from '../../core/error-catalogue.js';
import type { JobStream } from './types.js';

/** What a deploy command's stream delivers; `done` or `error` is last. */
export type RunEvent =
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'done'; readonly result: RunResult }
  | { readonly type: 'error'; readonly code: DeviceErrorCode; readonly message: string }
  | { readonly type: 'agent'; readonly state: string };

export interface RunStream extends AsyncIterable<RunEvent> {
  readonly jobId: string;
  /** True when the agent already knew the jobId: the command was not started again. */
  readonly attached: boolean;
  close(): void;
}

/** A run job's events, from the per-job stream the connection feeds (typed for run results). */
export function runStream(s: JobStream<RunResult>): RunStream {
  return {
    jobId: s.jobId,
    attached: s.attached,
    close: () => s.close(),
    async *[Symbol.asyncIterator]() {
      for await (const e of s) {
        if (e.type === 'log') yield { type: 'log', line: e.line };
        else if (e.type === 'done') yield { type: 'done', result: e.result };
        else if (e.type === 'error') yield { type: 'error', code: e.code, message: e.message };
        else if (e.type === 'agent') yield { type: 'agent', state: e.state };
      }
    },
  };
}
