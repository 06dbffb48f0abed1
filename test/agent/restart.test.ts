import { spawn, type ChildProcess } from 'node:child_process';
import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPath } from '../../src/agent/burner/verify.js';
import { isXorriso } from '../../src/agent/orphans.js';
import type { JobEvent } from '../../src/services/devices/index.js';
import { buildAgentChild } from '../helpers/agent-build.js';
import { agentFixture, freePort, type AgentFixture } from '../helpers/agent-fixture.js';
import { makeIso } from '../helpers/iso.js';
import { ledgerStates } from '../helpers/ledger-file.js';
import { holdersOf } from '../helpers/open-files.js';
import { until } from '../helpers/until.js';

let f: AgentFixture;
let entry: string;
let built: string;
let configPath: string;
let endpoint: string;
const children: ChildProcess[] = [];
let orphan: number | undefined;

/** `opsline agent` in a child process; resolves once it logs that it is listening. */
async function startChild(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [entry, configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('agent listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`agent exited with ${code}: ${err}`)));
  });
  return child;
}

beforeAll(async () => {
  f = await agentFixture(['d1'], '1000k');
  const [child] = await Promise.all([buildAgentChild(), makeIso(f.imagesDir, 'big.iso', { bytes: 4 * 1024 * 1024, volumeId: 'BIG' })]);
  ({ entry, dir: built } = child);
  endpoint = `tcp://127.0.0.1:${await freePort()}`;
  const o = f.options();
  configPath = join(f.root, 'agent.yaml');
  // JSON is YAML: the same config file a device host would have.
  await writeFile(
    configPath,
    JSON.stringify({
      log: { level: 'info' },
      agent: { name: 'child', bind: endpoint, keys: o.keys, allowedClients: o.allowedClients, imagesDir: f.imagesDir, stateDir: f.stateDir, drives: f.drives, heartbeatMs: 200 },
    }),
  );
}, 60_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  if (orphan !== undefined && isXorriso(orphan)) process.kill(orphan, 'SIGKILL');
  await f.cleanup();
  await rm(built, { recursive: true, force: true });
});

describe('agent restart mid-burn', () => {
  it('reports the burn as failed-interrupted afterwards, stops the orphaned xorriso and never burns again', async () => {
    const first = await startChild();
    const c = f.client(endpoint);
    const s = await c.burn('a1', { jobId: 'crash-1', image: 'big.iso', drive: 'd1' });
    const events: JobEvent[] = [];
    s.on((e) => events.push(e));
    await until(() => events.some((e) => e.type === 'progress' && e.bytes > 0));
    const pid = ledgerStates(f.stateDir, 'jobs').get('crash-1')?.pid;
    expect(pid).toBeGreaterThan(0);
    expect(isXorriso(pid!)).toBe(true);
    // The writer holds the drive open while it writes: the check at the end would see one.
    const drive = readPath(f.drives[0]!.device);
    expect(await holdersOf(drive)).toContain(pid);

    // Frozen, the writer cannot die of a broken pipe with its agent (left running, it does at once), so it
    // outlives the agent as an orphan would, and only the restarted agent can stop it (SIGKILL works on it).
    process.kill(pid!, 'SIGSTOP');
    orphan = pid;
    first.kill('SIGKILL');
    await until(() => events.some((e) => e.type === 'agent' && e.state === 'down'));
    expect(c.state('a1')).toBe('down');
    await expect(c.status('a1', 'crash-1')).rejects.toMatchObject({ code: 'unavailable' });

    await startChild();
    // The stream re-attaches by itself when the agent is back, and learns the burn's fate.
    const r = await s.result;
    expect(r).toMatchObject({ outcome: 'failed_interrupted', ok: false, image: 'big.iso', drive: 'd1' });
    expect(events.some((e) => e.type === 'agent' && e.state === 'up')).toBe(true);
    expect(isXorriso(pid!)).toBe(false);

    const size = (await stat(drive)).size;
    const again = await c.burn('a1', { jobId: 'crash-1', image: 'big.iso', drive: 'd1' });
    expect(again.attached).toBe(true);
    expect((await again.result).outcome).toBe('failed_interrupted');
    expect(await c.drives('a1')).toEqual([{ name: 'd1', kind: 'pseudo', speed: '1000k' }]);
    // Nothing writes to the drive any more: no process has it open, and it has not grown.
    expect(await holdersOf(drive)).toEqual([]);
    expect((await stat(drive)).size).toBe(size);
  });
});

