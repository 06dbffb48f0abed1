import { spawn, type ChildProcess } from 'node:child_process';
import type { RunOutcome, RunResult } from '../../protocol/index.js';
import { BASE_PATH } from '../child-env.js';
import { readLines } from '../lines.js';
import { groupMembers, signalGroup } from './process-group.js';

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
   * The child's pid, once it exists. It is not cleared when the child exits: the result follows (at once, or within
   * DRAIN_MS when the command left a process holding its output) and clears it in the same ledger line
   * (src/agent/ledger.ts), one write fewer per run; a restart in between finds the pid and stops it only if it still
   * runs the command's program (docs/agent.md, "Jobs survive restarts").
   */
  readonly onPid?: (pid: number) => void;
  /** How long output may still arrive once the command has exited; DRAIN_MS unless a test needs longer. */
  readonly drainMs?: number;
}

/** Lines kept for `status` (the bot shows the last 20). */
const TAIL = 20;
/** Longest line forwarded (src/agent/lines.ts): a command printing megabytes on one line must not flood the socket or the agent's memory. */
const MAX_LINE = 2000;
/** After SIGTERM, the command gets this long to stop before SIGKILL. */
const KILL_GRACE_MS = 5_000;
/**
 * Once the command has exited, its output pipes get this long to close. They stay open while a process it left
 * behind holds them (`daemon &`); then the job ends anyway and that process is stopped (docs/agent.md).
 */
export const DRAIN_MS = 2_000;
/** Said in the job's output when the command's process group outlived it. */
export const LEFTOVERS_STOPPED = 'processes the command left running were stopped';

/** One deploy or declared command: spawned with argv (never a shell) in its own process group. `done` never rejects. */
export class RunJob {
  readonly tail: string[] = [];
  readonly done: Promise<RunResult>;
  private child: ChildProcess | undefined;
  private settle: (r: RunResult) => void = () => undefined;
  private stopping: 'timeout' | 'cancelled' | undefined;
  /** The result is decided: no more output lines, no more signals from timeout or cancel. */
  private ended = false;
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
    const onLine = (line: string): void => {
      if (this.ended) return;
      this.tail.push(line);
      if (this.tail.length > TAIL) this.tail.shift();
      o.onLine(line);
    };
    const streams = [child.stdout, child.stderr].flatMap((s) => (s ? [s] : []));
    const closed = Promise.all(streams.map((s) => readLines(s, MAX_LINE, onLine)));
    const timer = setTimeout(() => this.stop('timeout'), o.timeoutSec * 1000);
    void new Promise<RunResult>((resolve) => {
      child.once('error', (err) => resolve(this.result('failed', null, null, `cannot run ${o.command}: ${err.message}`)));
      child.once('exit', (code, signal) => {
        // Output read before the exit event still belongs to the job: wait for both streams to end, within reason.
        void this.drained(closed).then(async () => {
          // Seen before the pipes close: a left process that writes dies of SIGPIPE once they do.
          const left = this.leftovers();
          // A stream still held open gives its last line (no newline) as it is destroyed.
          for (const s of streams) s.destroy();
          await closed;
          if (left) {
            onLine(LEFTOVERS_STOPPED);
            this.terminate();
          }
          this.ended = true;
          resolve(this.finished(code, signal));
        });
      });
    })
      .finally(() => clearTimeout(timer))
      .then(this.settle);
  }

  cancel(): void {
    this.stop('cancelled');
  }

  /**
   * Timeout and cancel stop the command's whole process group, for as long as the job runs: after the command
   * itself has exited, what it left running may still hold its output open (and so the job).
   */
  private stop(why: 'timeout' | 'cancelled'): void {
    if (this.stopping || this.ended) return;
    const child = this.child;
    if (!child) {
      // Not started yet: start() settles the job without running anything.
      this.stopping = why;
      return;
    }
    const exited = child.exitCode !== null || child.signalCode !== null;
    // Exited with nothing left behind: the job is ending by itself, as the command's own result.
    if (exited && (child.pid === undefined || groupMembers(child.pid).length === 0)) return;
    this.stopping = why;
    this.terminate();
  }

  private async drained(closed: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, this.o.drainMs ?? DRAIN_MS)))]);
    clearTimeout(timer);
  }

  /**
   * Whether the command left processes in its group, to be stopped with the job (as systemd's
   * KillMode=control-group). Not after a timeout or cancel: the group is being stopped already.
   */
  private leftovers(): boolean {
    const pid = this.child?.pid;
    return !this.stopping && pid !== undefined && groupMembers(pid).length > 0;
  }

  /** SIGTERM to the process group, then SIGKILL to whatever of it is still alive after KILL_GRACE_MS. */
  private terminate(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    if (!signalGroup(pid, 'SIGTERM')) this.child?.kill('SIGTERM');
    // Not unref'd: an agent stopping gracefully waits for it, so a leftover that ignores SIGTERM does not outlive it.
    setTimeout(() => {
      if (groupMembers(pid).length > 0) signalGroup(pid, 'SIGKILL');
    }, KILL_GRACE_MS);
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
