import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveResults, type SavedRow } from '../../bench/results.js';

const ORDER = ['slack-ack', 'agent-rtt', 'declared-quick', 'burn'];
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function file(content?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'opsline-results-'));
  dirs.push(dir);
  const path = join(dir, 'results.json');
  if (content !== undefined) await writeFile(path, content);
  return path;
}

const r = (bench: string, name: string, value: number): SavedRow => ({ bench, name, value, unit: 'ms', baseline: 1, ratio: value, target: '≤ 2×', met: value <= 2 });
const saved = async (path: string) => (JSON.parse(await readFile(path, 'utf8')) as { bench?: string; name: string; value: number }[]).map((x) => `${x.bench ?? '-'}/${x.name}=${x.value}`);

describe('bench/results.json after `npm run bench <name>`', () => {
  it("replaces the rows of the benches that ran, keeps the others, in the benches' order", async () => {
    const path = await file();
    await saveResults(path, [r('slack-ack', 'ack p50', 1), r('agent-rtt', 'rtt p50', 1), r('declared-quick', 'dq p50', 1), r('declared-quick', 'dq p99', 1)], ORDER, ORDER, true);
    // This run of declared-quick failed: its one failed row replaces both of the old ones.
    await saveResults(path, [r('declared-quick', 'declared-quick (failed: boom)', NaN)], ['declared-quick'], ORDER, false);
    await saveResults(path, [r('burn', 'burn p50', 3), r('slack-ack', 'ack p50', 2)], ['slack-ack', 'burn'], ORDER, false);
    expect(await saved(path)).toEqual(['slack-ack/ack p50=2', 'agent-rtt/rtt p50=1', 'declared-quick/declared-quick (failed: boom)=null', 'burn/burn p50=3']);
  });

  it('replaces rows of the same name in a file written before rows named their bench; a full run writes only its rows', async () => {
    const path = await file(JSON.stringify([{ name: 'ack p50', value: 9 }, { name: 'old row', value: 7 }]));
    await saveResults(path, [r('slack-ack', 'ack p50', 1)], ['slack-ack'], ORDER, false);
    expect(await saved(path)).toEqual(['slack-ack/ack p50=1', '-/old row=7']);
    await saveResults(path, [r('agent-rtt', 'rtt p50', 1)], ORDER, ORDER, true);
    expect(await saved(path)).toEqual(['agent-rtt/rtt p50=1']);
  });

  it('starts over from a file that does not hold rows', async () => {
    for (const content of ['{ not json', '{"rows": []}', '[{"value": 1}]']) {
      const path = await file(content);
      await saveResults(path, [r('burn', 'burn p50', 1)], ['burn'], ORDER, false);
      expect(await saved(path), content).toEqual(['burn/burn p50=1']);
    }
  });
});
