import { expect, it } from 'vitest';
import { RunJob } from '../../src/agent/runner/run-job.js';

const MB = 1024 * 1024;
// 200 MB of 'a' with no newline, written as fast as the pipe takes it, then a short line.
const PRINT_200MB = `const b = Buffer.alloc(${MB}, 97); let n = 200;
const w = () => { while (n > 0) { n--; if (!process.stdout.write(b)) return process.stdout.once('drain', w); } process.stdout.write('\\nok\\n'); };
w();`;

it('reads a 200 MB line without a newline in bounded memory: it goes out cut at 2000 characters, and the job ends', async () => {
  const lines: string[] = [];
  const job = new RunJob({ jobId: 'long-1', command: 'long', ref: 'x', argv: [process.execPath, '-e', PRINT_200MB], timeoutSec: 120, onLine: (l) => lines.push(l) });
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sample = (): void => void (peak = Math.max(peak, process.memoryUsage().heapUsed));
  const sampler = setInterval(sample, 10);
  try {
    expect(await job.run()).toMatchObject({ outcome: 'ok', exitCode: 0 });
  } finally {
    sample();
    clearInterval(sampler);
  }
  expect(lines).toEqual([`${'a'.repeat(2000)}…`, 'ok']);
  // readline held the whole line: heapUsed grew by its 200 MB. Read chunk by chunk, the line costs almost nothing.
  expect((peak - base) / MB).toBeLessThan(50);
});
