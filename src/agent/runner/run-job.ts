import type { RunOutcome, RunResult } from '../../protocol/index.js';
import { MAX_LINE, type SpawnEnd, type Spawned, type Spawner } from './spawner.js';

export interface RunJobOptions {
  readonly jobId: string;
  readonly command: string;
  /** A deploy's ref, or a declared command's values (exactly one of the two). */
  readonly ref?: string | undefined;
  readonly args?: Readonly<Record<string, string>> | undefined;
  readonly argv: readonly string[];
  readonly timeoutSec: number;
  /** Forks the command (src/agent/runner/spawner.ts): a small process of the agent's, so a fork costs less. */
  readonly spawner: Spawner;
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
/** The whole environment a command starts with, beyond its config's `env`: the agent's own (its keys) is not passed on. */
const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** After SIGTERM, the command gets this long to stop before SIGKILL. */
const KILL_GRACE_MS = 5_000;

/** One deploy or declared command: spawned with argv (never a shell) in its own process group. `done` never rejects. */
export class RunJob {
  readonly tail: string[] = [];
  readonly done: Promise<RunResult>;
  private spawned: Spawned | undefined;
  /** The spawner reported the end: a stop now has nothing to signal. */
  private ended = false;
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
    if (this.spawned) return;
    if (this.stopping) return this.settle(this.result('cancelled', null, null, `${o.command} was cancelled before it started`));
    const [file, ...args] = o.argv;
    const env = { PATH: BASE_PATH, ...o.env, OPSLINE_JOB_ID: o.jobId, ...(o.ref !== undefined ? { OPSLINE_REF: o.ref } : {}) };
    const timer = setTimeout(() => this.stop('timeout'), o.timeoutSec * 1000);
    // In its own process group (the spawner's `detached`), so a kill reaches the command's own children too.
    this.spawned = o.spawner.spawn(file ?? '', args, env, {
      pid: (pid) => o.onPid?.(pid),
      line: (raw) => {
        const line = raw.length > MAX_LINE ? `${raw.slice(0, MAX_LINE)}…` : raw;
        this.tail.push(line);
        if (this.tail.length > TAIL) this.tail.shift();
        o.onLine(line);
      },
      // Sent once the process has exited and both of its output streams have ended: every line came first.
      end: (end) => {
        clearTimeout(timer);
        this.ended = true;
        this.settle('error' in end ? this.result('failed', null, null, `cannot run ${o.command}: ${end.error}`) : this.finished(end));
      },
    });
  }

  cancel(): void {
    this.stop('cancelled');
  }

  private stop(why: 'timeout' | 'cancelled'): void {
    if (this.stopping) return;
    if (!this.spawned) {
      // Not started yet: start() settles the job without running anything.
      this.stopping = why;
      return;
    }
    if (this.ended) return;
    this.stopping = why;
    this.kill('SIGTERM');
    const t = setTimeout(() => this.kill('SIGKILL'), KILL_GRACE_MS);
    t.unref();
    void this.done.then(() => clearTimeout(t));
  }

  /** The spawner signals the process group only while the command runs (never a pid since reused). */
  private kill(signal: NodeJS.Signals): void {
    this.spawned?.kill(signal);
  }

  /** A stop counts only if a signal reached the command: one that had already exited gives its own result. */
  private finished(end: Exclude<SpawnEnd, { error: string }>): RunResult {
    const { code, signal } = end;
    const stopped = end.signalled ? this.stopping : undefined;
    if (stopped === 'timeout') return this.result('timeout', code, signal, `${this.o.command} timed out after ${this.o.timeoutSec} s and was stopped`);
    if (stopped === 'cancelled') return this.result('cancelled', code, signal, `${this.o.command} was cancelled`);
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
