import { row, type Bench, type Row } from './report.js';
import { sequentialP50, statusWorld } from './status.js';

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
        const n = size >= 1_000_000 ? 3 : 10;
        const status = w.dispatcher();
        await w.bare();
        let bare = 0;
        let bot = 0;
        for (let i = 0; i < 2; i++) {
          bare += await sequentialP50(w.bare, n);
          bot += await sequentialP50(status, n);
        }
        rows.push(row(`/status answer time, ${label(size)} rows`, bot / 2, 'ms', bare / 2, '≤ 1.2× the bare query', (_v, r) => r !== null && r <= 1.2));
      } finally {
        await w.close();
      }
    }
    return rows;
  },
};
