import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { RunOutcome, RunResult } from '../../protocol/index.js';

export interface RunJobOptions {
  readonly jobId: string;
  readonly command: string;
  /** A deploy's ref, or a declared command's values (exactly one of the two). */
  readonly ref?: string | undefined;
  readonly args?: Readonly<Record<string, string>> | undefined;
  readonly argv: readonly string[];
  readonly timeoutSec: number;
  /** The ledger's start time, so the result and `status` agree on it; now by default. */
  readonly startedAt?: string;
  /** Extra environment from the command's config; nothing is inherited from the agent. */
  readonly env?: Readonly<Record<string, string>>;
  readonly onLine: (line: string) => void;
  /**
   * The child's pid, once it exists. It is not cleared when the child exits: the result follows at once and clears
   * it in the same ledger line (src/agent/ledger.ts), one write fewer per run; a restart in between finds the pid
   * and stops it only if it still runs the command's program (docs/agent.md, "Jobs survive restarts").
   */
  readonly onPid?: (pid: number) => void;
}

/** Lines kept for `status` (the bot shows the last 20). */
const TAIL = 20;
/** Longest line forwarded; a command printing megabytes on one line must not flood the socket. */
const MAX_LINE = 2000;
/** The whole environment a command starts with, beyond its config's `env`: the agent's own (its keys) is not passed on. */
const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** After SIGTERM, the command gets this long to stop before SIGKILL. */
const KILL_GRACE_MS = 5_000;

/** One deploy or declared command: spawned with argv (never a shell) in its own process group. `done` never rejects. */
export class RunJob {
  readonly tail: string[] = [];
  readonly done: Promise<RunResult>;
  private child: ChildProcess | undefined;
  private settle: (r: RunResult) => void = () => undefined;
  private stopping: 'timeout' | 'cancelled' | undefined;
  private readonly started: number;

  constructor(private readonly o: RunJobOptions) {
    this.started = o.startedAt === undefined ? Date.now() : Date.parse(o.startedAt);
    this.done = new Promise<RunResult>((resolve) => (this.settle = resolve));
  }

  /** Starts the command and resolves with its result (src/agent/job-kind.ts); throws when it cannot be spawned at all. */
  run(): Promise<RunResult> {
    this.start();
    return this.done;
  }

  /**
   * Spawns the command. The job manager runs it once `accepted` is on its way (docs/agent.md), so the
   * answer does not wait for the fork and exec; a job cancelled before that never runs.
   */
  start(): void {
    const o = this.o;
    if (this.child) return;
    if (this.stopping) return this.settle(this.result('cancelled', null, null, `${o.command} was cancelled before it started`));
    const [file, ...args] = o.argv;
    // detached: the command's own children are in its process group, so a kill reaches them too.
    const env = { PATH: BASE_PATH, ...o.env, OPSLINE_JOB_ID: o.jobId, ...(o.ref !== undefined ? { OPSLINE_REF: o.ref } : {}) };
    const child = spawn(file ?? '', args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false, detached: true, env });
    this.child = child;
    if (child.pid !== undefined) o.onPid?.(child.pid);
    const onLine = (raw: string): void => {
      const line = raw.length > MAX_LINE ? `${raw.slice(0, MAX_LINE)}…` : raw;
      this.tail.push(line);
      if (this.tail.length > TAIL) this.tail.shift();
      o.onLine(line);
    };
    const readers = [child.stdout, child.stderr].flatMap((s) => (s ? [createInterface({ input: s })] : []));
    for (const r of readers) r.on('line', onLine);
    const closed = Promise.all(readers.map((r) => new Promise((res) => r.once('close', res))));
    const timer = setTimeout(() => this.stop('timeout'), o.timeoutSec * 1000);
    void new Promise<RunResult>((resolve) => {
      child.once('error', (err) => resolve(this.result('failed', null, null, `cannot run ${o.command}: ${err.message}`)));
      child.once('exit', (code, signal) => {
        // Output read before the exit event still belongs to the job: wait for both streams to end.
        void closed.then(() => resolve(this.finished(code, signal)));
      });
    })
      .finally(() => clearTimeout(timer))
      .then(this.settle);
  }

  cancel(): void {
    this.stop('cancelled');
  }

  private stop(why: 'timeout' | 'cancelled'): void {
    if (this.stopping) return;
    if (!this.child) {
      // Not started yet: start() settles the job without running anything.
      this.stopping = why;
      return;
    }
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.stopping = why;
    this.kill('SIGTERM');
    const t = setTimeout(() => this.kill('SIGKILL'), KILL_GRACE_MS);
    t.unref();
    void this.done.then(() => clearTimeout(t));
  }

  private kill(signal: NodeJS.Signals): void {
    try {
      if (this.child?.pid !== undefined) process.kill(-this.child.pid, signal);
    } catch {
      this.child?.kill(signal);
    }
  }

  private finished(code: number | null, signal: NodeJS.Signals | null): RunResult {
    if (this.stopping === 'timeout') return this.result('timeout', code, signal, `${this.o.command} timed out after ${this.o.timeoutSec} s and was stopped`);
    if (this.stopping === 'cancelled') return this.result('cancelled', code, signal, `${this.o.command} was cancelled`);
    if (code === 0) return this.result('ok', 0, null, `${this.o.command} exited 0`);
    return this.result('failed', code, signal, signal ? `${this.o.command} was killed by ${signal}` : `${this.o.command} exited ${code}`);
  }

  private result(outcome: RunOutcome, exitCode: number | null, signal: string | null, message: string): RunResult {
    const now = Date.now();
    return {
      kind: 'run',
      outcome,
      ok: outcome === 'ok',
      message,
      command: this.o.command,
      ...(this.o.ref !== undefined ? { ref: this.o.ref } : {}),
      ...(this.o.args ? { args: { ...this.o.args } } : {}),
      exitCode,
      signal,
      durationMs: now - this.started,
      startedAt: new Date(this.started).toISOString(),
      finishedAt: new Date(now).toISOString(),
    };
  }
}
