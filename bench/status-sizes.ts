import { row, type Bench, type Row } from './report.js';
import { interleavedP50, statusWorld } from './status.js';

/** 10 M rows take minutes to seed: only with `npm run bench -- status-sizes --huge`. */
const SIZES = [1_000, 100_000, 1_000_000, ...(process.argv.includes('--huge') ? [10_000_000] : [])];
const label = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000} M` : `${n / 1000} k`);

/**
 * /status answer time through the dispatcher (cache off) beside the bare GROUP BY, at growing table
 * sizes; the two alternate in blocks so load from elsewhere on the machine hits both alike.
 */
export const statusSizesBench: Bench = {
  name: 'status-sizes',
  description: `/status answer time vs the bare query at ${SIZES.map(label).join(', ')} rows (add --huge for 10 M)`,
  async run() {
    const rows: Row[] = [];
    for (const size of SIZES) {
      const w = await statusWorld(size);
      try {
        // Small tables answer in well under a millisecond: many samples, taken in turns, or the p50 is noise.
        const n = size >= 1_000_000 ? 6 : size >= 100_000 ? 40 : 2000;
        const status = w.dispatcher();
        await interleavedP50(w.bare, status, Math.ceil(n / 10)); // warm-up: connections, prepared statements, JIT
        const [bare, bot] = await interleavedP50(w.bare, status, n);
        rows.push(row(`/status answer time, ${label(size)} rows`, bot, 'ms', bare, '≤ 1.2× the bare query', (_v, r) => r !== null && r <= 1.2));
      } finally {
        await w.close();
      }
    }
    return rows;
  },
};
