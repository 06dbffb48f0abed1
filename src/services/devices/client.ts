import type { Logger } from 'pino';
import type { DriveInfo, EjectResult, HelloInfo, ImageInfo, JobStatus, RunStatus } from '../../agent/protocol.js';
import { AgentConnection, type AgentEndpoint, type ClientKeys } from './connection.js';
import { DeviceError } from './errors.js';
import { runStream, type RunStream } from './run-stream.js';
import type { AgentState, AgentSummary, BurnRequest, DeviceClient, JobStream, RunRequest } from './types.js';

const dataOf = <T>(m: unknown): T => (m as { data: T }).data;

/** The ZeroMQ DeviceClient: one AgentConnection per configured agent. */
export class ZmqDeviceClient implements DeviceClient {
  private readonly conns = new Map<string, AgentConnection>();
  private readonly listeners = new Set<(agent: string, state: AgentState) => void>();

  constructor(agents: readonly AgentEndpoint[], keys: ClientKeys, log: Logger) {
    for (const ep of agents) {
      const conn = new AgentConnection(ep, keys, log.child({ agent: ep.name }), (state) => {
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

  async hello(agent: string): Promise<HelloInfo> {
    return dataOf<HelloInfo>(await this.conn(agent).request({ op: 'hello' }));
  }

  async images(agent: string): Promise<ImageInfo[]> {
    return dataOf<ImageInfo[]>(await this.conn(agent).request({ op: 'images' }));
  }

  async drives(agent: string): Promise<DriveInfo[]> {
    return dataOf<DriveInfo[]>(await this.conn(agent).request({ op: 'drives' }));
  }

  async burn(agent: string, req: BurnRequest): Promise<JobStream> {
    const conn = this.conn(agent);
    const stream = conn.openStream(req.jobId);
    try {
      const m = await conn.request({ op: 'burn', jobId: req.jobId, image: req.image, drive: req.drive, verify: req.verify ?? true, eject: req.eject ?? true, ...(req.speed ? { speed: req.speed } : {}) });
      stream.attached = (m as { attached?: boolean }).attached === true;
      return stream;
    } catch (err) {
      stream.close();
      throw err;
    }
  }

  async watch(agent: string, jobId: string): Promise<JobStream> {
    const conn = this.conn(agent);
    const stream = conn.openStream(jobId);
    stream.attached = true;
    try {
      const st = dataOf<JobStatus>(await conn.request({ op: 'status', jobId, watch: true }));
      if (st.state === 'unknown') throw new DeviceError('not_found', `agent ${agent} has no job ${jobId}`, 'unknown_job');
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
    const stream = conn.openStream(req.jobId);
    try {
      const m = await conn.request({ op: 'run', jobId: req.jobId, command: req.command, ref: req.ref });
      stream.attached = (m as { attached?: boolean }).attached === true;
      return runStream(stream);
    } catch (err) {
      stream.close();
      throw err;
    }
  }

  /** Re-attaches to a run job by id; a finished one yields its `done` at once. */
  async watchRun(agent: string, jobId: string): Promise<RunStream> {
    const conn = this.conn(agent);
    const stream = conn.openStream(jobId);
    stream.attached = true;
    try {
      const st = dataOf<RunStatus>(await conn.request({ op: 'status', jobId, watch: true }));
      if (st.state === 'unknown') throw new DeviceError('not_found', `agent ${agent} has no job ${jobId}`, 'unknown_job');
      // The runtime result is a RunResult; the per-job stream is typed for burns (see runStream).
      if (st.state === 'finished') stream.push({ type: 'done', jobId, result: st.result as never });
      return runStream(stream);
    } catch (err) {
      stream.close();
      throw err;
    }
  }

  async runStatus(agent: string, jobId: string): Promise<RunStatus> {
    return dataOf<RunStatus>(await this.conn(agent).request({ op: 'status', jobId, watch: false }));
  }

  async status(agent: string, jobId: string): Promise<JobStatus> {
    return dataOf<JobStatus>(await this.conn(agent).request({ op: 'status', jobId, watch: false }));
  }

  async cancel(agent: string, jobId: string): Promise<void> {
    await this.conn(agent).request({ op: 'cancel', jobId });
  }

  async eject(agent: string, drive: string): Promise<EjectResult> {
    // A real tray can take a while; the default request timeout is tuned for quick questions.
    return dataOf<EjectResult>(await this.conn(agent).request({ op: 'eject', drive }, 65_000));
  }

  async close(): Promise<void> {
    await Promise.all([...this.conns.values()].map((c) => c.close()));
    this.listeners.clear();
  }

  private conn(agent: string): AgentConnection {
    const c = this.conns.get(agent);
    if (!c) throw new DeviceError('not_found', `no agent named ${agent} (known: ${[...this.conns.keys()].join(', ') || 'none'})`);
    return c;
  }
}
