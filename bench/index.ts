import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { agentBurnBench } from './agent-burn.js';
import { agentRttBench } from './agent-rtt.js';
import { burnBench } from './burn.js';
import { declaredQuickBench } from './declared-quick.js';
import { discordAckBench } from './discord-ack.js';
import { fleetBench } from './fleet.js';
import { failedRow, table, type Bench, type Row } from './report.js';
import { saveResults, type SavedRow } from './results.js';
import { scaleBench } from './scale.js';
import { sentinelBench } from './sentinel.js';
import { slackAckBench } from './slack-ack.js';
import { startBench } from './start.js';
import { statusSizesBench } from './status-sizes.js';
import { status10mBench } from './status-10m.js';
import { statusBench } from './status.js';

/**
 * `npm run bench [name…]`: runs the benchmarks (all when no name is given), prints one table and
 * writes bench/results.json. Every row is measured beside its baseline in the same run (docs/testing.md).
 * Each bench runs in a process of its own, so one bench's heap, threads and sockets (the load
 * generator's garbage, a worker thread's pool) cannot show up in the next one's tail latencies.
 */
const benches: readonly Bench[] = [slackAckBench, discordAckBench, statusBench, statusSizesBench, status10mBench, agentRttBench, declaredQuickBench, agentBurnBench, burnBench, startBench, scaleBench, fleetBench, sentinelBench];
const CHILD = '--only-in-this-process';
const ROWS = 'opsline-bench-rows ';

const flags = process.argv.slice(2).filter((a) => a.startsWith('--') && a !== CHILD);
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const unknown = wanted.filter((w) => !benches.some((b) => b.name === w));
if (unknown.length) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${benches.map((b) => b.name).join(', ')}\n`);
  process.exit(2);
}

if (process.argv.includes(CHILD)) {
  // The child: one bench, its rows as one line on stdout for the parent.
  const b = benches.find((x) => x.name === wanted[0])!;
  let rows: Row[];
  try {
    rows = await b.run();
  } catch (err) {
    rows = [failedRow(b.name, err)];
  }
  process.stdout.write(`${ROWS}${JSON.stringify(rows)}\n`);
  process.exit(0);
}

const rows: SavedRow[] = [];
const ran: string[] = [];
for (const b of benches) {
  if (wanted.length && !wanted.includes(b.name)) continue;
  process.stderr.write(`running ${b.name}: ${b.description}\n`);
  ran.push(b.name);
  rows.push(...(await inChild(b.name)).map((r) => ({ bench: b.name, ...r })));
}
process.stdout.write(`${table(rows)}\n`);
// A run of some benches keeps the other benches' rows in the file (bench/results.ts).
await saveResults(new URL('../../bench/results.json', import.meta.url), rows, ran, benches.map((b) => b.name), wanted.length === 0);
process.exitCode = rows.every((r) => r.met) ? 0 : 1;

async function inChild(name: string): Promise<Row[]> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), name, CHILD, ...flags], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  const line = out.split('\n').find((l) => l.startsWith(ROWS));
  if (!line) return [failedRow(name, new Error(`its process exited with ${code} and reported no rows`))];
  return JSON.parse(line.slice(ROWS.length)) as Row[];
}
