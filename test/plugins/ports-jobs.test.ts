import { expect, it } from 'vitest';
import { jobsPort } from '../../src/app/plugin-ports/jobs.js';
import { BurnService } from '../../src/services/burns.js';
import { MemoryJobLog } from '../../src/services/job-log/index.js';
import { MemoryBurnQueue } from '../../src/services/queue/memory.js';
import { listedDevices } from '../../src/sdk/testing-services.js';

// ctx.jobs lists what /jobs lists, worded as /jobs words it, and the job history (docs/plugins.md).
it('lists a queued burn as /jobs words it, and ended jobs from the history', async () => {
  const queue = new MemoryBurnQueue();
  const burns = new BurnService(listedDevices({ burner1: [{ name: 'dvd1', kind: 'device' }] }), queue);
  const requester = { key: 'console:olga', name: 'olga' };
  await queue.add('babcdef', { agent: 'burner1', drive: 'dvd1', image: 'rescue.iso', verify: true, requester, thread: { platform: 'test', channel: 'c', rootId: 'r', requester }, requestedAt: new Date().toISOString() });
  const jobLog = new MemoryJobLog();
  await jobLog.begin({ id: 'dxyz', kind: 'deploy', summary: 'site at v1', requester: 'olga', requesterKey: 'console:olga', startedAt: new Date(1000) });
  await jobLog.end('dxyz', { outcome: 'ok', result: 'deployed', endedAt: new Date(2000) });
  const port = jobsPort({ burns, jobLog });
  expect(await port.list()).toEqual([{ id: 'babcdef', kind: 'burn', state: 'queued', requester, text: 'babcdef rescue.iso on burner1/dvd1 for olga: queued' }]);
  expect(await port.recent(5)).toEqual([{ id: 'dxyz', kind: 'deploy', summary: 'site at v1', requester: 'olga', startedAt: new Date(1000), endedAt: new Date(2000), ok: true, outcome: 'ok', result: 'deployed' }]);
  expect(Object.isFrozen((await port.list())[0])).toBe(true);
  await expect(port.recent(0)).rejects.toMatchObject({ code: 'bad_input' });
});
