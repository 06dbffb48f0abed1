import { describe, expect, it } from 'vitest';
import { WorkerCensus } from '../../../src/services/queue/worker-census.js';

const b64 = (q: string) => Buffer.from(q).toString('base64');

/** A Redis whose CLIENT LIST answers when the test says, counting the calls. */
function fakeRedis(lines: () => string[]) {
  const calls: ((v: string) => void)[] = [];
  return {
    calls,
    redis: { client: (() => new Promise<string>((resolve) => calls.push(resolve))) as never },
    answer: () => calls.splice(0).forEach((r) => r(lines().join('\n'))),
  };
}

describe('WorkerCensus', () => {
  it('answers concurrent callers from one CLIENT LIST, counting named and unnamed workers of each queue', async () => {
    const f = fakeRedis(() => [
      `id=1 addr=x name=p:${b64('burn.a1.d1')} db=0`,
      `id=2 addr=x name=p:${b64('burn.a1.d1')}:w:host-1 db=0`,
      `id=3 addr=x name=p:${b64('burn.a1.d1')}:qe db=0`,
      `id=4 addr=x name=other:${b64('burn.a1.d2')} db=0`,
      `id=5 addr=x name=opsline:burn-queue:12 db=0`,
    ]);
    const census = new WorkerCensus(f.redis, 'p');
    const counts = Promise.all([census.count('burn.a1.d1'), census.count('burn.a1.d2'), census.count('burn.a1.d1')]);
    expect(f.calls).toHaveLength(1);
    f.answer();
    expect(await counts).toEqual([2, 0, 2]);
    // Fresh counts answer again without asking Redis; a lane without a worker is asked again.
    expect(await census.count('burn.a1.d1')).toBe(2);
    const again = census.count('burn.a1.d2');
    expect(f.calls).toHaveLength(1);
    f.answer();
    expect(await again).toBe(0);
  });

  it('asks again once its counts are older than it keeps them', async () => {
    let listed = 0;
    const census = new WorkerCensus({ client: (async () => (listed++, `id=1 name=p:${b64('q')}`)) as never }, 'p', 0);
    expect(await census.count('q')).toBe(1);
    expect(await census.count('q')).toBe(1);
    expect(listed).toBe(2);
  });
});
