import { spawn, type ChildProcess } from 'node:child_process';
import { XORRISO_ENV } from '../child-env.js';
import { readLines } from '../lines.js';
import { ProgressParser, isPacifierLine, type WriteProgress } from './progress.js';

export interface WriteOptions {
  /** An xorriso drive address: /dev/sr0 or stdio:/path. */
  readonly device: string;
  readonly imagePath: string;
  /** Bytes in the image's file system, the progress total. */
  readonly total: number;
  readonly speed?: string;
  readonly xorriso?: string;
  /** Seconds between pacifier lines. */
  readonly pacifierSec?: number;
  readonly onProgress: (p: WriteProgress) => void;
  readonly onLog: (line: string) => void;
  /** Called once the child exists, so the ledger can record its pid. */
  readonly onSpawn?: (pid: number) => void;
}

export type WriteOutcome = { ok: true } | { ok: false; cancelled: boolean; message: string };

/** Longest line read from xorriso (src/agent/lines.ts); its own lines are far shorter. */
const MAX_LINE = 2000;
/** How long xorriso gets to release the drive after SIGINT before it is killed. */
const CANCEL_GRACE_MS = 10_000;

/** The argv for one burn; exported so tests and the benchmark can see exactly what runs. */
export function burnArgv(o: Pick<WriteOptions, 'device' | 'imagePath' | 'speed' | 'pacifierSec'>): string[] {
  const argv = ['-pacifier', `interval=${o.pacifierSec ?? 0.5}`, '-as', 'cdrecord', '-v', `dev=${o.device}`];
  if (o.speed) argv.push(`speed=${o.speed}`);
  // Forces output to pseudo-drives every MB, so progress reflects the file and memory stays flat.
  argv.push('stdio_sync=1m', o.imagePath);
  return argv;
}

/** One running xorriso write. `done` never rejects: failures come back as a WriteOutcome. */
export class XorrisoWrite {
  readonly done: Promise<WriteOutcome>;
  private readonly child: ChildProcess;
  private cancelled = false;
  private lastProblem = '';

  constructor(o: WriteOptions) {
    const parser = new ProgressParser(o.total);
    // Only XORRISO_ENV: the agent's own environment (its keys, the config's secrets) stays with the agent.
    this.child = spawn(o.xorriso ?? 'xorriso', burnArgv(o), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...XORRISO_ENV } });
    if (this.child.pid !== undefined) o.onSpawn?.(this.child.pid);
    const onLine = (line: string): void => {
      const p = parser.parse(line);
      if (p) return o.onProgress(p);
      if (isPacifierLine(line) || line.trim() === '') return;
      if (/: (FAILURE|SORRY|FATAL) :/.test(line) && !/aborting|Job could not be performed/.test(line)) this.lastProblem = line.replace(/^\S+ : \S+ : /, '');
      o.onLog(line);
    };
    for (const stream of [this.child.stdout, this.child.stderr]) if (stream) void readLines(stream, MAX_LINE, onLine);
    this.done = new Promise((resolve) => {
      this.child.once('error', (err) => resolve({ ok: false, cancelled: false, message: `cannot run xorriso: ${err.message}` }));
      this.child.once('close', (code, signal) => {
        if (code === 0 && !this.cancelled) {
          o.onProgress(parser.complete());
          return resolve({ ok: true });
        }
        if (this.cancelled) return resolve({ ok: false, cancelled: true, message: 'cancelled' });
        resolve({ ok: false, cancelled: false, message: explainExit(code, signal, this.lastProblem) });
      });
    });
  }

  /** SIGINT lets xorriso release the drive cleanly; SIGKILL follows only if it hangs. */
  cancel(): void {
    if (this.cancelled || this.child.exitCode !== null) return;
    this.cancelled = true;
    this.child.kill('SIGINT');
    const t = setTimeout(() => this.child.kill('SIGKILL'), CANCEL_GRACE_MS);
    t.unref();
    void this.done.then(() => clearTimeout(t));
  }
}

/** xorriso's exit codes are coarse (1 signal/abort, 5 FAILURE, 32 FATAL); its last complaint says more. */
export function explainExit(code: number | null, signal: NodeJS.Signals | null, lastProblem: string): string {
  const why = lastProblem ? `: ${lastProblem}` : '';
  if (signal) return `xorriso was killed by ${signal}${why}`;
  if (/Cannot acquire drive|Neither stdio-path nor its directory exist|No such (file|device)/i.test(lastProblem))
    return `the drive is not available${why}`;
  if (/Could not open data source/i.test(lastProblem)) return `the image could not be read${why}`;
  if (/not blank|not writeable|closed|no media|No suitable media/i.test(lastProblem)) return `the medium cannot be written${why}`;
  if (code === 5) return `xorriso reported a failure${why}`;
  if (code === 32) return `xorriso aborted on a fatal error${why}`;
  return `xorriso exited with code ${code ?? 'unknown'}${why}`;
}
