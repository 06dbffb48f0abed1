import { agentBurnBench } from './agent-burn.js';
import { agentRttBench } from './agent-rtt.js';
import { burnBench } from './burn.js';
import { slackAckBench } from './slack-ack.js';
import { statusBench } from './status.js';

/**
 * `npm run bench [name…]`: runs each benchmark in turn (all when no name is given) and prints its
 * report. Benchmarks report ratios against a baseline measured side by side in the same run.
 */
export interface Bench {
  readonly name: string;
  readonly description: string;
  run(): Promise<string>;
}

const benches: readonly Bench[] = [slackAckBench, statusBench, burnBench, agentRttBench, agentBurnBench];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !benches.some((b) => b.name === w));
if (unknown.length) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${benches.map((b) => b.name).join(', ') || '(none)'}\n`);
  process.exit(2);
}
for (const b of benches) {
  if (wanted.length && !wanted.includes(b.name)) continue;
  process.stdout.write(`\n== ${b.name}: ${b.description}\n`);
  process.stdout.write(`${await b.run()}\n`);
}
