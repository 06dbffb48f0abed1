import type { Logger } from 'pino';
import { LiveThread } from '../core/live-thread.js';
import type { Transports } from '../relay/transports.js';
import type { DeviceClient, RunResult, RunStream } from '../services/devices/types.js';
import type { DeployService } from '../services/deploy/service.js';
import { mask } from '../services/deploy/template.js';
import type { DeployJobData, DeployProgress, DeployResult, DeployTarget } from '../services/deploy/types.js';
import { describeWebhook, runWebhook } from '../services/deploy/webhook.js';
import type { JobProcessor } from '../services/queue/jobs.js';
import type { Secrets } from '../services/secrets/index.js';
import { duration } from './progress.js';
import { ThreadReporter } from './reporter.js';
import { OutputLog } from './output-log.js';
import { DeviceError } from '../services/devices/errors.js';
import { DEVICE_ERRORS } from '../core/error-catalogue.js';
import { UserError } from '../core/errors.js';
import type { JobLog } from '../services/job-log/types.js';
import { JobRecorder } from './job-recorder.js';
import { deployStart } from './job-ends.js';
import { tellOnce } from './final-line.js';
import { WorkerStopping } from '../services/queue/worker-stopping.js';

export interface DeployDeps {
  readonly service: DeployService;
  readonly devices?: DeviceClient;
  readonly secrets?: Secrets;
  /** Config values that came from ${ENV}: masked wherever output is shown. */
  readonly masked: readonly string[];
  readonly transports: Transports;
  readonly log: Logger;
  /** The durable job history and output (docs/web.md), where kept. */
  readonly jobLog?: JobLog;
  /** A job's web page (`web.publicUrl`), for the thread's final line. */
  readonly jobUrl?: (id: string) => string | undefined;
  /** True when someone cancelled the job before its agent had it (JobQueue.requestCancel). */
  readonly cancelRequested?: (id: string) => Promise<boolean>;
  /** True once this worker is stopping: a job still waiting for its command is left to the next worker. */
  readonly stopping?: () => boolean;
}

/**
 * Runs one deploy job: says what runs (secrets masked), keeps the last 20 lines in the live status,
 * posts the full log in chunks, and ends with the exit code or HTTP status and the duration. The
 * target's lock is released however the job ends. Never retried; a command target re-attaches.
 */
export function deployProcessor(deps: DeployDeps): JobProcessor<DeployJobData, DeployResult, DeployProgress> {
  return tellOnce({ ...deps, start: (id, data) => deployStart(id, data) }, async (id, data, progress, _previous, final) => {
    const log = deps.log.child({ jobId: id, target: data.target });
    const transport = deps.transports.get(data.thread.platform);
    const record = deps.jobLog && new JobRecorder(deps.jobLog, id, deployStart(id, data, new Date()), log, (lines) => deps.transports.output(data.thread, lines));
    const out = new ThreadReporter(transport && LiveThread.reopen(transport, data.thread, log), log, record, deps.jobUrl?.(id), final);
    const output = new OutputLog((text) => out.status(text), progress, (line) => out.output(line));
    const started = Date.now();
    let result: DeployResult;
    try {
      if (data.run) result = await declared(deps, id, data.run, data, out, output);
      else {
        const t = deps.service.target(data.target);
        result = t.kind === 'webhook' ? await webhook(deps, id, t, data, out, output) : await command(deps, id, t, data, out, output);
      }
    } catch (err) {
      if (err instanceof WorkerStopping) {
        await out.drain();
        throw err;
      }
      result = { outcome: 'failed', ok: false, message: String((err as Error | undefined)?.message ?? err), durationMs: Math.max(0, Date.now() - started) };
    }
    // The record has every line already, numbered: the chunks are for the thread only.
    for (const chunk of output.chunks()) out.milestone(chunk, false);
    // The lock goes (and the history is written) before the final line, so whoever reads it can deploy again.
    await deps.service.releaseFor(data.target, id).catch((err: unknown) => log.error({ err }, 'could not release the deploy lock'));
    // A command stopped by a signal (timeout, cancel) has no exit code: its outcome says what happened.
    const code = typeof result.exitCode === 'number' ? `exit ${result.exitCode}` : result.httpStatus !== undefined ? `HTTP ${result.httpStatus}` : undefined;
    // A declared command is no deploy target: it has no lock and no "last deploy" in /deploy list.
    if (!data.run)
      await deps.service.store
        .setLast(data.target, { jobId: id, by: data.requester, ref: data.ref, at: new Date().toISOString(), outcome: result.outcome, summary: code ?? result.message })
        .catch((err: unknown) => log.warn({ err }, 'could not record the last deploy'));
    const took = duration(result.durationMs / 1000);
    const head = `${result.ok ? '✔' : '✘'} ${code ?? result.outcome} · ${took}`;
    const what = data.run ? `/${data.target}${data.ref ? ` ${data.ref}` : ''}` : `deploy of ${data.target} ${data.ref}`;
    const failed = !result.ok && result.outcome !== 'cancelled';
    return out.finish(result.ok ? 'ok' : failed ? 'failed' : 'cancelled', head, `${what} ${ended(result, code, took)}`, failed ? { error: result.message } : { result });
  });
}

async function webhook(deps: DeployDeps, id: string, t: DeployTarget, data: DeployJobData, out: ThreadReporter, output: OutputLog): Promise<DeployResult> {
  const vars = { target: t.name, ref: data.ref, user: data.requester.name };
  // No agent keeps a ledger for a webhook: a job handed over after its worker died must not call it twice.
  if (!(await deps.service.store.markStarted(id)))
    return { outcome: 'failed', ok: false, message: 'the previous worker stopped after this webhook may have been sent; it was not sent again (check the CI)', durationMs: 0 };
  out.milestone(`running: ${describeWebhook(t, vars, deps.masked)}`);
  return runWebhook({ target: t, vars, ...(deps.secrets ? { secrets: deps.secrets } : {}), masked: deps.masked, onLine: (l) => output.add(l) });
}

function command(deps: DeployDeps, id: string, t: DeployTarget, data: DeployJobData, out: ThreadReporter, output: OutputLog): Promise<DeployResult> {
  const agent = t.agent ?? '';
  const name = t.command ?? '';
  return onAgent(deps, id, agent, `${name} ${data.ref}`, (devices) => devices.run(agent, { jobId: id, command: name, ref: data.ref }), out, output);
}

/** A declared run command: its name and typed values, never an argv (the agent checks them again). */
function declared(deps: DeployDeps, id: string, run: NonNullable<DeployJobData['run']>, data: DeployJobData, out: ThreadReporter, output: OutputLog): Promise<DeployResult> {
  const start = (devices: DeviceClient) => devices.runCommand(run.agent, { jobId: id, command: run.command, args: new Map(run.args) });
  return onAgent(deps, id, run.agent, `${run.command}${data.ref ? ` ${data.ref}` : ''}`, start, out, output);
}

/**
 * Runs a command on an agent, or re-attaches when the agent's ledger knows the job id already (a
 * worker that took over a job another one began): the command never runs twice.
 */
async function onAgent(deps: DeployDeps, id: string, agent: string, what: string, start: (d: DeviceClient) => Promise<RunStream>, out: ThreadReporter, output: OutputLog): Promise<DeployResult> {
  const devices = deps.devices;
  if (!devices) throw new UserError('not_configured', 'no device agents are configured for command targets');
  const known = await devices.runStatus(agent, id);
  let stream: RunStream;
  if (known.state === 'unknown') {
    const started = await whenFree(deps, id, agent, () => start(devices), out);
    if (!started) return { outcome: 'cancelled', ok: false, message: `${what} was cancelled before it started`, durationMs: 0 };
    stream = started;
    out.milestone(`running: ${what} on ${agent} (the command is defined on the agent host)`);
  } else {
    // Another worker started it and was lost (the thread said "running:" then): say what happened meanwhile.
    if (known.state === 'running') {
      out.milestone('re-attached to the running command (the previous worker stopped)');
      for (const l of known.tail) output.add(l);
    } else out.milestone('re-attached: the command ended while no worker watched it (the previous worker stopped)');
    stream = await devices.watchRun(agent, id);
  }
  try {
    return await follow(deps, agent, what, stream, output);
  } catch (err) {
    // A stream that breaks because this worker is stopping (its device client closed) is no failure: the command
    // goes on at the agent, and the next worker re-attaches (as for burns).
    if (deps.stopping?.()) throw new WorkerStopping('this worker is stopping; the command goes on at the agent');
    throw err;
  }
}

/** The command's output and end, as its agent streams them. */
async function follow(deps: DeployDeps, agent: string, what: string, stream: RunStream, output: OutputLog): Promise<DeployResult> {
  for await (const e of stream) {
    if (e.type === 'log') output.add(mask(e.line, deps.masked));
    else if (e.type === 'done') return fromRun(e.result);
    else if (e.type === 'error') throw new DeviceError(DEVICE_ERRORS[e.code].becomes, e.message, e.code);
    else if (e.type === 'agent' && e.state === 'down') {
      stream.close();
      throw DeviceError.of('down', {}, `agent ${agent} was lost while ${what} ran; the command may still be running there`);
    }
  }
  throw DeviceError.of('down', {}, 'lost track of the deploy command');
}

/** How often a job whose command is already running (another job of it) asks its agent again. */
const BUSY_RETRY_MS = 1000;

/**
 * Starts the command, or waits while the agent says it is running already (another job of the same
 * command: the agent runs one at a time, and a lane may run several jobs at once, docs/commands.md),
 * asking again every second. Undefined when the job was cancelled meanwhile: nothing ran.
 */
async function whenFree(deps: DeployDeps, id: string, agent: string, start: () => Promise<RunStream>, out: ThreadReporter): Promise<RunStream | undefined> {
  // A cancel mark that cannot be read (Redis down) counts as none: a cancel could not have been written either.
  const cancelled = async () => deps.cancelRequested?.(id).catch(() => false);
  const leaving = () => new WorkerStopping('this worker is stopping; the job is left to the next one');
  for (;;) {
    if (deps.stopping?.()) throw leaving();
    if (await cancelled()) return undefined;
    try {
      const stream = await start();
      // A cancel that came between the look above and the agent's answer: stop what just started.
      if (await cancelled()) await deps.devices?.cancel(agent, id).catch(() => undefined);
      return stream;
    } catch (err) {
      // Before the agent has the job, any failure of a stopping worker (its connections closing) is no failure of the job.
      if (deps.stopping?.()) throw leaving();
      if (!(err instanceof DeviceError) || err.agentCode !== 'busy') throw err;
      out.status(`waiting: ${err.message}`);
      await new Promise((r) => setTimeout(r, BUSY_RETRY_MS));
    }
  }
}

/** How the deploy ended, in words: a cancelled deploy is cancelled, not failed. */
function ended(r: DeployResult, code: string | undefined, took: string): string {
  if (r.outcome === 'cancelled') return `was cancelled (${took})`;
  return `${r.ok ? 'finished ✔' : `failed: ${r.message}`} (${code ?? r.outcome}, ${took})`;
}

function fromRun(r: RunResult): DeployResult {
  const outcome = r.outcome === 'failed_interrupted' ? 'failed' : r.outcome;
  return { outcome, ok: r.ok, message: r.message, exitCode: r.exitCode, durationMs: r.durationMs };
}
