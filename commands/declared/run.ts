import { randomUUID } from 'node:crypto';
import type { RunCommandEntry } from '../../src/config/declared-run.js';
import type { ArgSpec } from '../../src/core/arg-spec.js';
import { commandUsing, type Args, type CommandContext, type CommandDef } from '../../src/core/define-command.js';
import type { BurnsPort } from '../../src/services/burns.js';
import type { DeploysPort } from '../../src/services/deploy/service.js';
import { UserError } from '../../src/core/errors.js';
import { reply, type Reply } from '../../src/core/reply.js';
import { argValueProblem, type RunResult } from '../../src/protocol/index.js';
import type { DeviceClient, RunStream } from '../../src/services/devices/types.js';
import { DeviceError } from '../../src/services/devices/errors.js';
import { DEVICE_ERRORS } from '../../src/core/error-catalogue.js';
import { quickOutput, runSummary } from './run-output.js';
import { startRunJob } from './run-job.js';

/** The ports a run command uses (docs/architecture.md, "Ports"): the agents, and the deploy queue for the job form. */
type Uses = BurnsPort & DeploysPort;
type Ctx = CommandContext<Args, Uses>;

/** How long a quick command may take before the answer moves to the platform's follow-up. */
const IN_PLACE_MS = 1_500;

/**
 * A `kind: run` entry of `commands:` as a command (docs/commands.md, "run: a command on an agent").
 * The bot holds no argv: it sends the agent the command's name and the typed values, after checking
 * each against its pattern with the same function the agent uses (src/protocol/command-args.ts).
 */
export function declaredRunCommand(entry: RunCommandEntry): CommandDef<Uses> {
  const args: ArgSpec[] = entry.args.map((a) => ({
    name: a.name,
    type: 'string',
    description: a.description ?? `matches ${a.pattern}`,
    required: a.required,
    ...(a.maxLength !== undefined ? { maxLength: a.maxLength } : {}),
  }));
  const cmd: CommandDef<Uses> = commandUsing<Uses>()({
    name: entry.name,
    description: entry.description,
    ...(entry.usage !== undefined ? { usage: entry.usage } : {}),
    examples: entry.examples ?? [`/${entry.name}`],
    args,
    roles: entry.roles,
    sideEffects: !entry.quick,
    // Values are checked before anyone is asked to confirm or approve what would run.
    ...(entry.confirm ? { confirm: (ctx: Ctx) => (checked(ctx, entry, cmd.usage), `run /${entry.name} on ${entry.agent}?`) } : {}),
    ...(entry.approvers ? { approvers: (ctx: Ctx) => (checked(ctx, entry, cmd.usage), entry.approvers) } : {}),
    handler: (ctx) => {
      const values = checked(ctx, entry, cmd.usage);
      return entry.quick ? quickRun(ctx, entry, values) : startRunJob(ctx, entry, values);
    },
  });
  return cmd;
}

/** The values given, each checked against its pattern: a Map by argument name, never a plain object. */
function checked(ctx: Ctx, entry: RunCommandEntry, usage: string): ReadonlyMap<string, string> {
  const values = new Map<string, string>();
  for (const a of entry.args) {
    const v = Object.hasOwn(ctx.args, a.name) ? ctx.args[a.name] : undefined;
    if (v === undefined) continue;
    const problem = argValueProblem(a.name, a, String(v));
    if (problem) throw new UserError('bad_input', `${problem}; usage: ${usage}`);
    values.set(a.name, String(v));
  }
  return values;
}

function devicesOf(ctx: Ctx): DeviceClient {
  const d = ctx.services.burns?.devices;
  if (!d) throw new UserError(ctx.services.devicesOff ? 'unavailable' : 'not_configured', ctx.services.devicesOff ?? 'no device agents are configured here');
  return d;
}

/** A quick command: answered in place like /status, the answer through the follow-up when it takes longer. */
async function quickRun(ctx: Ctx, entry: RunCommandEntry, values: ReadonlyMap<string, string>): Promise<Reply> {
  const devices = devicesOf(ctx);
  const jobId = `q-${randomUUID()}`;
  const stream = await devices.runCommand(entry.agent, { jobId, command: entry.run, args: values });
  const answer = collect(stream, devices, entry, jobId).then((r) => render(entry, r));
  let timer: NodeJS.Timeout | undefined;
  const soon = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, IN_PLACE_MS, undefined)));
  const first = await Promise.race([answer, soon]);
  clearTimeout(timer);
  if (first) return first;
  return { ...reply(`/${entry.name}: running on ${entry.agent}…`), later: answer.catch((err: unknown) => failed(err)) };
}

interface Collected {
  readonly lines: string[];
  readonly result?: RunResult;
  readonly timedOut?: boolean;
}

/** Reads the stream to its end, or cancels the command on the agent after `timeoutSec`. */
async function collect(stream: RunStream, devices: DeviceClient, entry: RunCommandEntry, jobId: string): Promise<Collected> {
  const lines: string[] = [];
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void devices.cancel(entry.agent, jobId).catch(() => undefined);
  }, entry.timeoutSec * 1000);
  try {
    for await (const e of stream) {
      if (e.type === 'log') lines.push(e.line);
      else if (e.type === 'done') return { lines, result: e.result, timedOut };
      else if (e.type === 'error') throw new DeviceError(DEVICE_ERRORS[e.code].becomes, e.message, e.code);
      else if (e.type === 'agent' && e.state === 'down') {
        stream.close();
        throw DeviceError.of('down', {}, `agent ${entry.agent} was lost while /${entry.name} ran; it may still be running there`);
      }
    }
    throw DeviceError.of('down', {}, `lost track of /${entry.name} on ${entry.agent}`);
  } finally {
    clearTimeout(timer);
  }
}

function render(entry: RunCommandEntry, c: Collected): Reply {
  const r = c.result;
  const head = r ? runSummary(r) : '✘ no result';
  const why = c.timedOut ? ` (stopped after ${entry.timeoutSec} s)` : '';
  return reply(`/${entry.name} on ${entry.agent}: ${head}${why}`, { visibility: 'channel', ...(c.lines.length ? { pre: quickOutput(c.lines) } : {}) });
}

function failed(err: unknown): Reply {
  if (err instanceof UserError) return { ...reply(err.message), code: err.code };
  return { ...reply('the command could not be followed to its end (see the log)'), code: 'internal' };
}
