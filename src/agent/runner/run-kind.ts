import { AgentError } from '../errors.js';
import type { JobKind } from '../job-kind.js';
import { JobLedger, runEntrySchema, type RunEntry } from '../ledger.js';
import { stopOrphanGroup } from '../orphans.js';
import type { RunOutcome, RunRequestMessage, RunResult } from '../../protocol/index.js';
import { commandArgv, type CommandConfig } from './argv.js';
import { declaredArgv } from './declared-argv.js';
import { RunJob } from './run-job.js';

export type RunKind = JobKind<RunRequestMessage, RunEntry, RunResult, RunJob>;

/**
 * Deploy commands as a job kind: only commands named in this host's config (`agent.commands`), one run
 * per command at a time, recorded in `runs.jsonl`.
 */
export function runKind(stateDir: string, commands: Readonly<Record<string, CommandConfig>>): RunKind {
  // Keyed by the name a request carries: a Map, so `__proto__` is an unknown command, not Object.prototype.
  const byName: ReadonlyMap<string, CommandConfig> = new Map(Object.entries(commands));
  const checked = (req: RunRequestMessage): { cmd: CommandConfig; argv: string[] } => {
    const cmd = byName.get(req.command);
    if (!cmd) throw new AgentError('unknown_command', `no command named ${req.command} on this agent (known: ${[...byName.keys()].join(', ') || 'none'})`);
    // A deploy sends `ref` (the v1 shape); a declared command sends `args` (v2). Never both.
    if (req.args !== undefined && req.ref === undefined) return { cmd, argv: declaredArgv(req.command, cmd, new Map(Object.entries(req.args))) };
    if (req.ref !== undefined && req.args === undefined) return { cmd, argv: commandArgv(req.command, cmd, req.ref) };
    throw new AgentError('bad_args', 'a run request carries either ref (a deploy) or args (a declared command), exactly one');
  };
  const what = (req: { readonly ref?: string | undefined; readonly args?: Readonly<Record<string, string>> | undefined }) => ({ ...(req.ref !== undefined ? { ref: req.ref } : {}), ...(req.args !== undefined ? { args: req.args } : {}) });
  return {
    name: 'deploy command',
    ledger: new JobLedger(stateDir, 'runs', runEntrySchema),
    // The ref is checked with the name, before the slot: a bad ref is `bad_ref` even while the command runs.
    slot(req) {
      checked(req);
      return req.command;
    },
    busy: (command, holder) => `${command} is already running (job ${holder})`,
    prepare(req) {
      const { cmd, argv } = checked(req);
      return {
        entry: (startedAt) => ({ jobId: req.jobId, command: req.command, ...what(req), startedAt }),
        job: (entry, out) =>
          new RunJob({
            jobId: req.jobId,
            command: req.command,
            ...what(req),
            argv,
            timeoutSec: cmd.timeoutSec,
            startedAt: entry.startedAt,
            ...(cmd.env ? { env: cmd.env } : {}),
            onLine: (line) => out.log(line),
            onPid: (pid) => out.pid(pid),
          }),
      };
    },
    status: (e, job) => ({ jobId: e.jobId, state: 'running', command: e.command, ...what(e), startedAt: e.startedAt, tail: [...job.tail] }),
    describe: (e) => ({ command: e.command, ...what(e) }),
    async stopOrphan(pid, e) {
      const argv0 = byName.get(e.command)?.argv[0];
      return argv0 !== undefined && stopOrphanGroup(pid, argv0, e.jobId);
    },
    interrupted: (e) => ended(e, 'failed_interrupted', 'the agent stopped while this command was running; it was not restarted'),
    failed: (e, err) => ended(e, 'failed', `cannot run ${e.command}: ${err.message}`),
  };
}

/** A result the command could not give itself: it never ran, or its agent died under it. */
function ended(e: RunEntry, outcome: RunOutcome, message: string): RunResult {
  const finishedAt = new Date().toISOString();
  return { kind: 'run', outcome, ok: false, message, command: e.command, ...(e.ref !== undefined ? { ref: e.ref } : {}), ...(e.args ? { args: e.args } : {}), exitCode: null, signal: null, durationMs: Date.parse(finishedAt) - Date.parse(e.startedAt), startedAt: e.startedAt, finishedAt };
}
