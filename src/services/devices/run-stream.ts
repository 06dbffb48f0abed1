import type { RunResult } from '../../agent/protocol.js';
import type { JobStream } from './types.js';

/** What a deploy command's stream delivers; `done` or `error` is last. */
export type RunEvent =
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'done'; readonly result: RunResult }
  | { readonly type: 'error'; readonly code: string; readonly message: string }
  | { readonly type: 'agent'; readonly state: string };

export interface RunStream extends AsyncIterable<RunEvent> {
  readonly jobId: string;
  /** True when the agent already knew the jobId: the command was not started again. */
  readonly attached: boolean;
  close(): void;
}

/**
 * A run job's events over the same per-job stream burns use: the connection routes by jobId and
 * does not know the job's kind, so the `done` result is a RunResult here.
 */
export function runStream(s: JobStream): RunStream {
  return {
    jobId: s.jobId,
    attached: s.attached,
    close: () => s.close(),
    async *[Symbol.asyncIterator]() {
      for await (const e of s) {
        if (e.type === 'log') yield { type: 'log', line: e.line };
        else if (e.type === 'done') yield { type: 'done', result: e.result as unknown as RunResult };
        else if (e.type === 'error') yield { type: 'error', code: e.code, message: e.message };
        else if (e.type === 'agent') yield { type: 'agent', state: e.state };
      }
    },
  };
}
