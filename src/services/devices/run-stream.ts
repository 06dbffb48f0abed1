import type { RunResult } from '../../protocol/index.js';
import type { JobStream, RunStream } from './types.js';

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
