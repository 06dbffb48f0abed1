import { Queue, Worker, type Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { bullConnection } from '../../../src/redis/connect.js';
import { settledState } from '../../../src/services/queue/settled-state.js';
import { REDIS_URL, redisPrefix } from '../../helpers/redis.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A queue on its own prefix, and a worker that runs each job with `run` once started. */
function lane(run: (job: Job<{ n: number }>) => Promise<unknown>) {
  const { prefix, cleanup } = redisPrefix();
  const connection = bullConnection(REDIS_URL, { role: 'test', profile: 'queue' });
  const queue = new Queue<{ n: number }>('settled', { connection, prefix });
  cleanups.push(cleanup, () => queue.close());
  const start = () => {
    const worker = new Worker<{ n: number }>('settled', run, { connection, prefix });
    cleanups.push(() => worker.close());
    return worker;
  };
  return { queue, start };
}

describe('a job read while it ran and then ended (the read of its state comes after the read of the job)', () => {
  it('is seen ended with its result and end time, not ended with nothing', async () => {
    const { queue, start } = lane(async (job) => ({ doubled: job.data.n * 2 }));
    const added = await queue.add('x', { n: 21 });
    const read = (await queue.getJob(added.id!))!;
    const worker = start();
    await new Promise((r) => worker.once('completed', r));
    // The copy read before the end knows nothing of it: what a view would have shown without the second read.
    expect([await read.getState(), read.returnvalue, read.finishedOn]).toEqual(['completed', null, undefined]);
    const { raw, job } = await settledState(read, () => queue.getJob(added.id!));
    expect([raw, job.returnvalue, typeof job.finishedOn]).toEqual(['completed', { doubled: 42 }, 'number']);
  });

  it('a failed job the same, with its reason', async () => {
    const { queue, start } = lane(async () => {
      throw new Error('agent refused');
    });
    const added = await queue.add('x', { n: 1 });
    const read = (await queue.getJob(added.id!))!;
    const worker = start();
    await new Promise((r) => worker.once('failed', r));
    const { raw, job } = await settledState(read, () => queue.getJob(added.id!));
    expect([raw, job.failedReason]).toEqual(['failed', 'agent refused']);
  });

  it('a job read after its end is not read again', async () => {
    const { queue, start } = lane(async () => 'ok');
    const added = await queue.add('x', { n: 1 });
    const worker = start();
    await new Promise((r) => worker.once('completed', r));
    const read = (await queue.getJob(added.id!))!;
    let reads = 0;
    const { job } = await settledState(read, async () => (reads++, queue.getJob(added.id!)));
    expect([job, reads]).toEqual([read, 0]);
  });
});
