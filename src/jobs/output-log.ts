import type { DeployProgress } from '../services/deploy/types.js';

/** Lines in the live status message, each cut to TAIL_LINE characters so 20 fit in one chat message. */
const TAIL = 20;
const TAIL_LINE = 80;
/** One chat message of the full log; Discord's limit is 2000 characters. */
const CHUNK = 1800;
/** A deploy that prints more keeps the first lines and says how many were dropped. */
const MAX_LINES = 5000;

/** A job's output: the live tail for the status message, and the full log in chunks at the end. */
export class OutputLog {
  readonly #lines: string[] = [];
  #dropped = 0;
  #total = 0;

  constructor(
    private readonly status: (text: string) => void,
    private readonly progress: (p: DeployProgress) => void,
    /** Every line, as it comes: the job's durable record. */
    private readonly record: (line: string) => void = () => {},
  ) {}

  add(line: string): void {
    this.#total++;
    this.record(line);
    if (this.#lines.length < MAX_LINES) this.#lines.push(line);
    else this.#dropped++;
    const tail = this.#lines.slice(-TAIL).map((l) => (l.length > TAIL_LINE ? `${l.slice(0, TAIL_LINE - 1)}…` : l));
    this.status(`running · ${this.#total} line${this.#total === 1 ? '' : 's'} of output\n${tail.join('\n')}`);
    this.progress({ lines: this.#total, last: line.slice(0, 200) });
  }

  /** The full log as messages of at most CHUNK characters, numbered. */
  chunks(): string[] {
    if (this.#lines.length === 0) return [];
    const parts: string[] = [];
    let cur = '';
    for (const raw of this.#lines) {
      const line = raw.length > CHUNK - 40 ? `${raw.slice(0, CHUNK - 41)}…` : raw;
      if (cur && cur.length + line.length + 1 > CHUNK - 40) {
        parts.push(cur);
        cur = '';
      }
      cur = cur ? `${cur}\n${line}` : line;
    }
    if (cur) parts.push(cur);
    if (this.#dropped) parts.push(`(${this.#dropped} more lines not kept)`);
    return parts.map((p, i) => `log ${i + 1}/${parts.length}:\n${p}`);
  }
}
