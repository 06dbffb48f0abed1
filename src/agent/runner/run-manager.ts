import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { AgentError } from '../errors.js';
import { JobLedger, runEntrySchema } from '../ledger.js';
import type { Peer } from '../jobs.js';
import type { AgentMessage, Request, RunResult, RunStatus } from '../../protocol/index.js';
import { commandArgv, type CommandConfig } from './argv.js';
import { RunJob } from './run-job.js';

type RunRequest = Extract<Request, { op: 'run' }>;

export interface RunEntry {
  readonly jobId: string;
  readonly command: string;
  readonly ref: string;
  readonly startedAt: string;
  pid?: number;
  result?: RunResult;
}

interface Running {
  readonly job: RunJob;
  readonly entry: RunEntry;
  readonly watchers: Map<string, Peer>;
}

/**
 * Deploy commands by jobId, like burns: only commands named in this host's config, one run per
 * command at a time, recorded in `<stateDir>/runs.json` so a re-attach by jobId never runs twice.
 */
export class RunManager {
  private readonly running = new Map<string, Running>();
  private readonly byCommand = new Map<string, string>();
  private readonly ledger: JobLedger<RunEntry>;
  // Keyed by the name a request carries: a Map, so `__proto__` is an unknown command, not Object.prototype.
  private readonly commands: ReadonlyMap<string, CommandConfig>;

  constructor(
    stateDir: string,
    commands: Readonly<Record<string, CommandConfig>>,
    private readonly log: Logger,
    private readonly send: (peer: Peer, msg: AgentMessage) => void,
  ) {
    this.ledger = new JobLedger<RunEntry>(stateDir, 'runs.json', runEntrySchema);
    this.commands = new Map(Object.entries(commands));
  }

  /** A run cut short by an agent restart is failed, never restarted; its process group is stopped if still there. */
  recover(): void {
    for (const e of this.ledger.unfinished()) {
      const argv0 = this.commands.get(e.command)?.argv[0];
      const stopped = e.pid !== undefined && argv0 !== undefined && stopOrphanRun(e.pid, argv0);
      this.log.warn({ jobId: e.jobId, command: e.command, stoppedOrphan: stopped }, 'deploy command was interrupted by an agent restart');
      const now = new Date().toISOString();
      const message = 'the agent stopped while this command was running; it was not restarted';
      this.ledger.finish(e.jobId, { kind: 'run', outcome: 'failed_interrupted', ok: false, message, command: e.command, ref: e.ref, exitCode: null, signal: null, durationMs: Date.parse(now) - Date.parse(e.startedAt), startedAt: e.startedAt, finishedAt: now });
    }
  }

  knows(jobId: string): boolean {
    return this.running.has(jobId) || this.ledger.get(jobId) !== undefined;
  }

  /** Starts the command, or re-attaches the caller when the jobId is known already. */
  run(peer: Peer, req: RunRequest): { attached: boolean; finished?: RunResult } {
    const known = this.attach(peer, req.jobId);
    if (known) return known;
    const cmd = this.commands.get(req.command);
    if (!cmd) throw new AgentError('unknown_command', `no command named ${req.command} on this agent (known: ${[...this.commands.keys()].join(', ') || 'none'})`);
    const argv = commandArgv(req.command, cmd, req.ref);
    const busy = this.byCommand.get(req.command);
    if (busy) throw new AgentError('busy', `${req.command} is already running (job ${busy})`);
    const entry: RunEntry = { jobId: req.jobId, command: req.command, ref: req.ref, startedAt: new Date().toISOString() };
    this.ledger.start(entry);
    const watchers = new Map([[peer.toString('hex'), peer]]);
    const publish = (msg: AgentMessage): void => watchers.forEach((p) => this.send(p, msg));
    const job = new RunJob({
      jobId: req.jobId,
      command: req.command,
      ref: req.ref,
      argv,
      timeoutSec: cmd.timeoutSec,
      ...(cmd.env ? { env: cmd.env } : {}),
      onLine: (line) => publish({ v: 1, op: 'log', jobId: req.jobId, line }),
      onPid: (pid) => this.record(req.jobId, 'pid', () => this.ledger.setPid(req.jobId, pid)),
    });
    this.byCommand.set(req.command, req.jobId);
    this.running.set(req.jobId, { job, entry, watchers });
    this.log.info({ jobId: req.jobId, command: req.command, ref: req.ref }, 'deploy command started');
    // Spawned after `accepted` is on its way (docs/agent.md), so the answer does not wait for the fork and exec.
    setImmediate(() => job.start());
    void job.done.then((result) => {
      this.record(req.jobId, 'result', () => this.ledger.finish(req.jobId, result));
      this.running.delete(req.jobId);
      this.byCommand.delete(req.command);
      this.log.info({ jobId: req.jobId, outcome: result.outcome, exitCode: result.exitCode }, 'deploy command finished');
      publish({ v: 1, op: 'done', jobId: req.jobId, result });
    });
    return { attached: false };
  }

  status(peer: Peer, jobId: string, watch: boolean): RunStatus {
    const r = this.running.get(jobId);
    if (r) {
      if (watch) r.watchers.set(peer.toString('hex'), peer);
      return { jobId, state: 'running', command: r.entry.command, ref: r.entry.ref, startedAt: r.entry.startedAt, tail: [...r.job.tail] };
    }
    const e = this.ledger.get(jobId);
    return e?.result ? { jobId, state: 'finished', result: e.result } : { jobId, state: 'unknown' };
  }

  cancel(jobId: string): void {
    const r = this.running.get(jobId);
    if (r) return r.job.cancel();
    throw new AgentError('not_running', `job ${jobId} has already finished`);
  }

  /** Graceful stop: running commands are cancelled and recorded as such. */
  async stop(): Promise<boolean> {
    const all = [...this.running.values()];
    for (const r of all) r.job.cancel();
    await Promise.all(all.map((r) => r.job.done));
    return all.length > 0;
  }

  /** A ledger write that fails once the command runs is logged; the job goes on (the ledger keeps it in memory). */
  private record(jobId: string, what: string, write: () => void): void {
    try {
      write();
    } catch (err) {
      this.log.error({ err, jobId }, `could not write the deploy command's ${what} to the ledger file`);
    }
  }

  private attach(peer: Peer, jobId: string): { attached: true; finished?: RunResult } | undefined {
    const r = this.running.get(jobId);
    if (r) {
      r.watchers.set(peer.toString('hex'), peer);
      return { attached: true };
    }
    const e = this.ledger.get(jobId);
    return e?.result ? { attached: true, finished: e.result } : undefined;
  }
}

/** SIGTERM to the group of a run left by a dead agent, only when the pid still runs the configured program. */
function stopOrphanRun(pid: number, argv0: string): boolean {
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')[0] !== argv0) return false;
    process.kill(-pid, 'SIGTERM');
    return true;
  } catch {
    return false;
  }
}
