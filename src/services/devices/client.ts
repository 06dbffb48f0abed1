import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  burnStatusSchema,
  cancelReplySchema,
  driveInfoSchema,
  ejectResultSchema,
  helloInfoSchema,
  imageInfoSchema,
  runStatusSchema,
  type BurnResult,
  type DriveInfo,
  type EjectResult,
  type HelloInfo,
  type ImageInfo,
  type JobStatus,
  type RunResult,
  type RunStatus,
} from '../../protocol/index.js';
import { AgentConnection, type AgentEndpoint, type ClientKeys, type Outgoing } from './connection.js';
import { DeviceError } from './errors.js';
import { runStream } from './run-stream.js';
import type { AgentState, AgentSummary, AnyResult, BurnRequest, CommandRequest, DeviceClient, JobStream, RunRequest, RunStream } from './types.js';

const isBurnResult = (r: AnyResult): r is BurnResult => !('kind' in r);
const isRunResult = (r: AnyResult): r is RunResult => 'kind' in r && r.kind === 'run';
const imageList = imageInfoSchema.array();
const driveList = driveInfoSchema.array();

/** The ZeroMQ DeviceClient: one AgentConnection per configured agent. */
export class ZmqDeviceClient implements DeviceClient {
  private readonly conns = new Map<string, AgentConnection>();
  private readonly listeners = new Set<(agent: string, state: AgentState) => void>();
  /** Whether each agent runs declared commands, from its `hello`; asked again after it reconnects (it may be another release). */
  private readonly declared = new Map<string, Promise<boolean>>();

  constructor(agents: readonly AgentEndpoint[], keys: ClientKeys, log: Logger) {
    for (const ep of agents) {
      const conn = new AgentConnection(ep, keys, log.child({ agent: ep.name }), (state) => {
        this.declared.delete(ep.name);
        for (const l of this.listeners) l(ep.name, state);
      });
      this.conns.set(ep.name, conn);
      conn.start();
    }
  }

  agents(): AgentSummary[] {
    return [...this.conns.values()].map((c) => ({ name: c.ep.name, state: c.state, ...(c.lastSeen ? { lastSeen: c.lastSeen } : {}) }));
  }

  state(agent: string): AgentState {
    return this.conn(agent).state;
  }

  onStateChange(listener: (agent: string, state: AgentState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  hello(agent: string): Promise<HelloInfo> {
    return this.ask(agent, { op: 'hello' }, helloInfoSchema);
  }

  /** `hello` in protocol 2, which lists the agent's command names; an agent of protocol 1 is asked in v 1 instead. */
  helloV2(agent: string): Promise<HelloInfo> {
    return this.ask(agent, { op: 'hello' }, helloInfoSchema, undefined, 2).catch((err: unknown) => {
      if (err instanceof DeviceError && err.agentCode === 'unsupported') return this.hello(agent);
      throw err;
    });
  }

  async images(agent: string): Promise<ImageInfo[]> {
    return this.ask(agent, { op: 'images' }, imageList);
  }

  async drives(agent: string): Promise<DriveInfo[]> {
    return this.ask(agent, { op: 'drives' }, driveList);
  }

  async burn(agent: string, req: BurnRequest): Promise<JobStream> {
    const conn = this.conn(agent);
    const stream = conn.openStream(req.jobId, isBurnResult);
    try {
      const m = await conn.request({ op: 'burn', jobId: req.jobId, image: req.image, drive: req.drive, verify: req.verify ?? true, eject: req.eject ?? true, ...(req.speed ? { speed: req.speed } : {}) });
      stream.attached = this.accepted(agent, 'burn', m);
      return stream;
    } catch (err) {
      stream.close();
      throw err;
    }
  }

  async watch(agent: string, jobId: string): Promise<JobStream> {
    const conn = this.conn(agent);
    const stream = conn.openStream(jobId, isBurnResult);
    stream.attached = true;
    try {
      const st = await this.ask(agent, { op: 'status', jobId, watch: true }, burnStatusSchema);
      if (st.state === 'unknown') throw DeviceError.of('unknown_job', { agent, job: jobId });
      if (st.state === 'finished') stream.push({ type: 'done', jobId, result: st.result });
      else if (st.progress) stream.push({ type: 'progress', jobId, ...st.progress });
      return stream;
    } catch (err) {
      stream.close();
      throw err;
    }
  }

  /** Runs a command from the agent's own config (the bot sends its name and the ref, never an argv), or re-attaches. */
  async run(agent: string, req: RunRequest): Promise<RunStream> {
    const conn = this.conn(agent);
    const stream = conn.openStream(req.jobId, isRunResult);
    try {
      const m = await conn.request({ op: 'run', jobId: req.jobId, command: req.command, ref: req.ref });
      stream.attached = this.accepted(agent, 'run', m);
      return runStream(stream);
    } catch (err) {
      stream.close();
      throw err;
    }
  }

  /**
   * Runs a declared command (docs/agent.md, "Declared commands"): its name and typed values, never an
   * argv, in the v2 `run` shape. An agent of the previous release gets nothing it cannot read: its
   * `hello` lists no `commands` capability, and the caller hears `no_commands`.
   */
  async runCommand(agent: string, req: CommandRequest): Promise<RunStream> {
    if (!(await this.runsDeclared(agent))) throw DeviceError.of('no_commands', { agent });
    const conn = this.conn(agent);
    const stream = conn.openStream(req.jobId, isRunResult);
    try {
      const m = await conn.request({ op: 'run', jobId: req.jobId, command: req.command, args: { ...Object.fromEntries(req.args) } }, undefined, 2).catch((err: unknown) => {
        // The agent was replaced by an older one since its hello: say so, not "another protocol version".
        throw err instanceof DeviceError && err.agentCode === 'unsupported' ? DeviceError.of('no_commands', { agent }) : err;
      });
      stream.attached = this.accepted(agent, 'run', m);
      return runStream(stream);
    } catch (err) {
      stream.close();
      throw err;
    }
  }

  /** True when the agent's `hello` lists `commands`; asked once per connection. */
  runsDeclared(agent: string): Promise<boolean> {
    let known = this.declared.get(agent);
    if (!known) {
      known = this.hello(agent).then((h) => h.capabilities?.includes('commands') ?? false);
      this.declared.set(agent, known);
      known.catch(() => this.declared.delete(agent));
    }
    return known;
  }

  /** Re-attaches to a run job by id; a finished one yields its `done` at once. */
  async watchRun(agent: string, jobId: string): Promise<RunStream> {
    const conn = this.conn(agent);
    const stream = conn.openStream(jobId, isRunResult);
    stream.attached = true;
    try {
      const st = await this.ask(agent, { op: 'status', jobId, watch: true }, runStatusSchema);
      if (st.state === 'unknown') throw DeviceError.of('unknown_job', { agent, job: jobId });
      if (st.state === 'finished') stream.push({ type: 'done', jobId, result: st.result });
      return runStream(stream);
    } catch (err) {
      stream.close();
      throw err;
    }
  }

  async runStatus(agent: string, jobId: string): Promise<RunStatus> {
    return this.ask(agent, { op: 'status', jobId, watch: false }, runStatusSchema);
  }

  async status(agent: string, jobId: string): Promise<JobStatus> {
    return this.ask(agent, { op: 'status', jobId, watch: false }, burnStatusSchema);
  }

  async cancel(agent: string, jobId: string): Promise<void> {
    await this.ask(agent, { op: 'cancel', jobId }, cancelReplySchema);
  }

  async eject(agent: string, drive: string): Promise<EjectResult> {
    // A real tray can take a while; the default request timeout is tuned for quick questions.
    return this.ask(agent, { op: 'eject', drive }, ejectResultSchema, 65_000);
  }

  async close(): Promise<void> {
    await Promise.all([...this.conns.values()].map((c) => c.close()));
    this.listeners.clear();
  }

  /** One request whose `reply` data is parsed against the op's schema: a wrong shape is a DeviceError, never a cast. */
  private ask<S extends z.ZodType>(agent: string, msg: Outgoing, schema: S, timeoutMs?: number, v: 1 | 2 = 1): Promise<z.output<S>> {
    // Not async: on this path every await layer is another turn of the microtask queue per request (bench agent-rtt).
    const conn = this.conns.get(agent);
    if (!conn) return Promise.reject(this.unknown(agent));
    return conn
      .request(msg, timeoutMs, v)
      .then((m) => {
        const data = m.op === 'reply' ? schema.safeParse(m.data) : undefined;
        if (data?.success) return data.data;
        throw this.badReply(agent, msg.op, data?.error.issues[0]?.message ?? `${m.op} instead of reply`);
      });
  }

  /** `accepted` answers burn and run; its `attached` says whether the agent knew the job already. */
  private accepted(agent: string, op: 'burn' | 'run', m: Awaited<ReturnType<AgentConnection['request']>>): boolean {
    if (m.op !== 'accepted') throw this.badReply(agent, op, `${m.op} instead of accepted`);
    return m.attached;
  }

  private badReply(agent: string, op: string, why: string): DeviceError {
    return DeviceError.of('bad_reply', { agent, request: op, why });
  }

  private conn(agent: string): AgentConnection {
    const c = this.conns.get(agent);
    if (!c) throw this.unknown(agent);
    return c;
  }

  private unknown(agent: string): DeviceError {
    return DeviceError.of('unknown_agent', { agent, known: [...this.conns.keys()].join(', ') || 'none' });
  }
}
