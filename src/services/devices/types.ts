import type { BurnResult, DriveInfo, EjectResult, HelloInfo, ImageInfo, JobStatus, Phase, RunResult, RunStatus } from '../../protocol/index.js';
import type { DeviceErrorCode } from '../../core/error-catalogue.js';

export type { RunResult, RunOutcome, RunStatus } from '../../protocol/index.js';
export type { BurnResult, BurnOutcome, DriveInfo, EjectResult, HelloInfo, ImageInfo, JobStatus, Phase, Progress } from '../../protocol/index.js';

/**
 * `connecting` until the first heartbeat; `down` after missed heartbeats; `refused` when the agent
 * rejected this bot's CURVE key at the handshake.
 */
export type AgentState = 'connecting' | 'up' | 'down' | 'refused';

export interface AgentSummary {
  readonly name: string;
  readonly state: AgentState;
  /** When anything was last heard from the agent (epoch ms), if ever. */
  readonly lastSeen?: number;
}

export interface BurnRequest {
  /** The caller's idempotency key (the queue job id): a known id re-attaches, never burns again. */
  readonly jobId: string;
  readonly image: string;
  readonly drive: string;
  /** Default true. */
  readonly verify?: boolean;
  /** Eject after a good verify; default true. */
  readonly eject?: boolean;
  readonly speed?: string;
}

export interface RunRequest {
  /** The caller's idempotency key (the queue job id): a known id re-attaches, never runs again. */
  readonly jobId: string;
  /** A command name from the agent's own `agent.commands`. */
  readonly command: string;
  readonly ref: string;
}

/** A declared command (docs/agent.md, "Declared commands"): a name and typed values, never an argv. */
export interface CommandRequest {
  readonly jobId: string;
  readonly command: string;
  /** Values by argument name, each already checked against its pattern; a Map, so no name is a prototype key. */
  readonly args: ReadonlyMap<string, string>;
}

/** Either kind of job result: a burn's, or a run's (`kind: 'run'`). */
export type AnyResult = BurnResult | RunResult;

/** What a job stream delivers, in order; `done` or `error` is always last. `R` is the job kind's result. */
export type JobEvent<R extends AnyResult = BurnResult> =
  | { readonly type: 'progress'; readonly jobId: string; readonly phase: Phase; readonly bytes: number; readonly total: number; readonly rate: number }
  | { readonly type: 'log'; readonly jobId: string; readonly line: string }
  | { readonly type: 'done'; readonly jobId: string; readonly result: R }
  | { readonly type: 'error'; readonly jobId: string; readonly code: DeviceErrorCode; readonly message: string }
  /** The agent went down or came back; the job may still be running there, so the stream stays open. */
  | { readonly type: 'agent'; readonly jobId: string; readonly state: AgentState };

/** The events of one burn job. Iterate it, or subscribe with `on`; both see every event from now on. */
export interface JobStream<R extends AnyResult = BurnResult> extends AsyncIterable<JobEvent<R>> {
  readonly agent: string;
  readonly jobId: string;
  /** True when the agent already knew the jobId: this call re-attached instead of starting a burn. */
  readonly attached: boolean;
  /** The result once `done` arrives; rejects with a DeviceError on an `error` event. */
  readonly result: Promise<R>;
  on(listener: (e: JobEvent<R>) => void): () => void;
  /** Stops delivering events here; the job itself goes on (use `cancel` to stop it). */
  close(): void;
}

/** The bot's view of its device agents; every method names the agent (from config `agents`). */
export interface DeviceClient {
  agents(): AgentSummary[];
  state(agent: string): AgentState;
  onStateChange(listener: (agent: string, state: AgentState) => void): () => void;
  hello(agent: string): Promise<HelloInfo>;
  images(agent: string): Promise<ImageInfo[]>;
  drives(agent: string): Promise<DriveInfo[]>;
  /** Starts a burn, or re-attaches when the agent knows the jobId already. */
  burn(agent: string, req: BurnRequest): Promise<JobStream>;
  /** Re-attaches to a job by id (after a worker restart); a finished job yields its `done` at once. */
  watch(agent: string, jobId: string): Promise<JobStream>;
  status(agent: string, jobId: string): Promise<JobStatus>;
  cancel(agent: string, jobId: string): Promise<void>;
  eject(agent: string, drive: string): Promise<EjectResult>;
  /** Runs a deploy command named in the agent's config, or re-attaches when the jobId is known. */
  run(agent: string, req: RunRequest): Promise<RunStream>;
  watchRun(agent: string, jobId: string): Promise<RunStream>;
  /** Runs a declared command in the agent's config (protocol 2); `no_commands` from an older agent. */
  runCommand(agent: string, req: CommandRequest): Promise<RunStream>;
  runStatus(agent: string, jobId: string): Promise<RunStatus>;
  close(): Promise<void>;
}

/** What a deploy command's stream delivers; `done` or `error` is last. */
export type RunEvent =
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'done'; readonly result: RunResult }
  | { readonly type: 'error'; readonly code: DeviceErrorCode; readonly message: string }
  | { readonly type: 'agent'; readonly state: string };

export interface RunStream extends AsyncIterable<RunEvent> {
  readonly jobId: string;
  /** True when the agent already knew the jobId: the command was not started again. */
  readonly attached: boolean;
  close(): void;
}
