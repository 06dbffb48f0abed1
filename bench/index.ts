import { agentBurnBench } from './agent-burn.js';
import { agentRttBench } from './agent-rtt.js';
import { burnBench } from './burn.js';
import { discordAckBench } from './discord-ack.js';
import { failedRow, table, writeResults, type Bench, type Row } from './report.js';
import { scaleBench } from './scale.js';
import { slackAckBench } from './slack-ack.js';
import { startBench } from './start.js';
import { statusSizesBench } from './status-sizes.js';
import { statusBench } from './status.js';

/**
 * `npm run bench [name…]`: runs the benchmarks (all when no name is given), prints one table and
 * writes bench/results.json. Every row is measured beside its baseline in the same run (docs/bench.md).
 */
const benches: readonly Bench[] = [slackAckBench, discordAckBench, statusBench, statusSizesBench, agentRttBench, agentBurnBench, burnBench, startBench, scaleBench];

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const unknown = wanted.filter((w) => !benches.some((b) => b.name === w));
if (unknown.length) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${benches.map((b) => b.name).join(', ')}\n`);
  process.exit(2);
}
const rows: Row[] = [];
for (const b of benches) {
  if (wanted.length && !wanted.includes(b.name)) continue;
  process.stderr.write(`running ${b.name}: ${b.description}\n`);
  try {
    rows.push(...(await b.run()));
  } catch (err) {
    rows.push(failedRow(b.name, err));
  }
}
process.stdout.write(`${table(rows)}\n`);
await writeResults(new URL('../../bench/results.json', import.meta.url), rows);
process.exitCode = rows.every((r) => r.met) ? 0 : 1;
