import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import { AgentError } from './errors.js';
import type { Job, JobKind, JobResult, KindEntry, Launch, RunningStatus } from './job-kind.js';
import type { AgentMessage } from '../protocol/index.js';

/** A client, by its ZeroMQ routing id; events for a job go to every client watching it. */
export type Peer = Buffer;

/**
 * How `burn` or `run` is answered: `accepted`, followed by the recorded result when the job had finished.
 * A re-attach may find a job of another kind (one jobId, one job: docs/agent.md), so the result is any kind's.
 */
export interface Started {
  readonly attached: boolean;
  readonly finished?: JobResult;
}

/** What `status` answers (the protocol's burn or run status). */
export type JobState = RunningStatus | { jobId: string; state: 'finished'; result: JobResult } | { jobId: string; state: 'unknown' };

// Method parameters are bivariant, so every kind is one of these; start() is where a kind's types are kept.
type AnyKind = JobKind<never, KindEntry<JobResult>, JobResult, Job<JobResult>>;

interface Running {
  readonly job: Job<JobResult>;
  readonly watchers: Map<string, Peer>;
  readonly status: () => RunningStatus;
  readonly finished: Promise<void>;
}

/** The jobs of one kind: running ones by jobId, and which jobId holds each slot. */
interface Lane {
  readonly kind: AnyKind;
  readonly running: Map<string, Running>;
  readonly slots: Map<string, string>;
}

export interface JobManagerOptions {
  /** Status and cancel ask them in this order for a jobId. */
  readonly kinds: readonly AnyKind[];
  readonly log: Logger;
  readonly send: (peer: Peer, msg: AgentMessage) => void;
}

/**
 * Every job on the agent, whatever its kind, by jobId: one per slot, recorded in its kind's ledger, events fanned
 * out to watchers. A jobId names one job across all kinds: `start`, `status` and `cancel` look it up alike.
 */
export class JobManager {
  private readonly lanes: readonly Lane[];
  /** Set by stop(): the agent is going away, so a job started now would outlive it or be cut short. */
  private stopping = false;

  constructor(private readonly o: JobManagerOptions) {
    this.lanes = o.kinds.map((kind) => ({ kind, running: new Map(), slots: new Map() }));
  }

  /** After a restart: a job its ledger still shows as running was cut short; it is failed, never resumed. */
  async recover(): Promise<void> {
    for (const { kind } of this.lanes) {
      // What reading the ledger found (a torn last line dropped, a ledger of the format before migrated).
      for (const note of kind.ledger.notes) this.o.log.warn(note);
      for (const e of kind.ledger.unfinished()) {
        const stoppedOrphan = e.pid !== undefined && (await kind.stopOrphan(e.pid, e));
        this.o.log.warn({ jobId: e.jobId, ...kind.describe(e), stoppedOrphan }, `${kind.name} was interrupted by an agent restart`);
        kind.ledger.finish(e.jobId, kind.interrupted(e));
      }
    }
  }

  /** Starts a job, or re-attaches the caller when any kind already knows the jobId. Quick checks answer synchronously. */
  start<Req extends { readonly jobId: string }, E extends KindEntry<R>, R extends JobResult, J extends Job<R>>(kind: JobKind<Req, E, R, J>, peer: Peer, req: Req): Started | Promise<Started> {
    const lane = this.lane(kind);
    const known = this.attach(peer, req.jobId);
    if (known) return known;
    this.open();
    const slot = kind.slot(req);
    this.free(lane, slot);
    const launch = kind.prepare(req);
    return launch instanceof Promise ? launch.then((l) => this.begin(lane, kind, peer, req.jobId, slot, l)) : this.begin(lane, kind, peer, req.jobId, slot, launch);
  }

  /** The jobId holding a slot of this kind (a drive, a command), if any. */
  holder(kind: object, slot: string): string | undefined {
    return this.lane(kind).slots.get(slot);
  }

  status(peer: Peer, jobId: string, watch: boolean): JobState {
    const found = this.find(jobId);
    if (found?.running) {
      if (watch) addWatcher(found.running, peer);
      return found.running.status();
    }
    return found?.result ? { jobId, state: 'finished', result: found.result } : { jobId, state: 'unknown' };
  }

  cancel(jobId: string): void {
    const found = this.find(jobId);
    if (found?.running) return found.running.job.cancel();
    if (found) throw new AgentError('not_running', `job ${jobId} has already finished`);
    throw new AgentError('unknown_job', `no job ${jobId} on this agent`);
  }

  /** Graceful stop: running jobs are cancelled, and recorded as such, rather than left orphaned; none starts after this. */
  async stop(): Promise<boolean> {
    this.stopping = true;
    const all = this.lanes.flatMap((l) => [...l.running.values()]);
    for (const r of all) r.job.cancel();
    await Promise.all(all.map((r) => r.finished));
    return all.length > 0;
  }

  private begin<Req extends { readonly jobId: string }, E extends KindEntry<R>, R extends JobResult, J extends Job<R>>(lane: Lane, kind: JobKind<Req, E, R, J>, peer: Peer, jobId: string, slot: string, launch: Launch<E, J>): Started {
    // Checked again: preparing may have awaited, and another request may have taken the jobId or the slot meanwhile.
    const again = this.attach(peer, jobId);
    if (again) return again;
    this.open();
    this.free(lane, slot);
    const entry = launch.entry(new Date().toISOString());
    const watchers = new Map([[peer.toString('hex'), peer]]);
    const publish = (msg: AgentMessage): void => watchers.forEach((p) => this.o.send(p, msg));
    // Made before it is recorded (making a job starts nothing): a kind that cannot make it leaves no ledger entry behind.
    const job = launch.job(entry, {
      log: (line) => publish({ v: 1, op: 'log', jobId, line }),
      progress: (p) => publish({ v: 1, op: 'progress', jobId, ...p }),
      pid: (pid) => this.write(kind, jobId, 'pid', () => kind.ledger.setPid(jobId, pid)),
    });
    this.write(kind, jobId, 'start', () => kind.ledger.start(entry));
    lane.slots.set(slot, jobId);
    // Started after `accepted` is on its way (docs/agent.md): a fork and exec holds this thread, and the caller would wait for it.
    const finished = nextTurn()
      .then(() => {
        const running = job.run();
        // Logged once the process is on its way, not before: the line is the operator's, and neither `accepted`
        // nor the fork waits for it (a quick command's answer waits for both).
        this.o.log.info({ jobId, ...kind.describe(entry) }, `${kind.name} started`);
        return running;
      })
      .catch((err: unknown) => {
        // A job that cannot start still ends with one `done`, and frees its slot; it never takes the agent down.
        this.o.log.error({ err, jobId }, `${kind.name} could not start`);
        return kind.failed(entry, err instanceof Error ? err : new Error(String(err)));
      })
      .then((result) => {
        this.write(kind, jobId, 'result', () => kind.ledger.finish(jobId, result));
        lane.running.delete(jobId);
        lane.slots.delete(slot);
        // `done` first: the result is in the ledger already, and the caller need not wait for the log line.
        publish({ v: 1, op: 'done', jobId, result });
        this.o.log.info({ jobId, ...kind.describe(entry), outcome: result.outcome, message: result.message }, `${kind.name} finished`);
      });
    lane.running.set(jobId, { job, watchers, finished, status: () => kind.status(entry, job) });
    return { attached: false };
  }

  /** Every ledger write goes through here, so a failing state directory is handled alike for every kind. */
  private write(kind: { readonly name: string }, jobId: string, what: 'start' | 'pid' | 'result', save: () => void): void {
    try {
      save();
    } catch (err) {
      this.o.log.error({ err, jobId }, `could not write the ${kind.name}'s ${what} to the ledger file`);
      // Without its entry a restart could not know the job: better not to start it.
      if (what === 'start') throw new AgentError('internal', `cannot record the job in the state directory: ${(err as Error).message}`);
      // Once it runs, the job goes on: the ledger keeps it in memory before it writes the file, so this agent
      // still knows it (nothing runs twice); only a restart before the next successful write would forget it.
    }
  }

  /** A new job may start: not while stopping (a re-attach still may, since it starts nothing). */
  private open(): void {
    if (this.stopping) throw new AgentError('internal', 'the agent is stopping: nothing was started');
  }

  private free(lane: Lane, slot: string): void {
    const holder = lane.slots.get(slot);
    if (holder) throw new AgentError('busy', lane.kind.busy(slot, holder));
  }

  /** A known jobId, whatever its kind: the caller now watches the running job, or gets the recorded result. Never a second start. */
  private attach(peer: Peer, jobId: string): Started | undefined {
    const found = this.find(jobId);
    if (found?.running) {
      addWatcher(found.running, peer);
      return { attached: true };
    }
    // An entry without a result is a job a dead agent left, and recover() has finished every one of those.
    return found?.result ? { attached: true, finished: found.result } : undefined;
  }

  /** The first kind that knows the jobId, running or recorded. */
  private find(jobId: string): { running?: Running; result?: JobResult } | undefined {
    for (const lane of this.lanes) {
      const running = lane.running.get(jobId);
      if (running) return { running };
      const e = lane.kind.ledger.get(jobId);
      if (e) return e.result ? { result: e.result } : {};
    }
    return undefined;
  }

  private lane(kind: object): Lane {
    const lane = this.lanes.find((l) => l.kind === kind);
    if (!lane) throw new Error(`job kind not given to this JobManager`);
    return lane;
  }
}

/** Events of the job now go to this client too. */
function addWatcher(r: Running, peer: Peer): void {
  r.watchers.set(peer.toString('hex'), peer);
}
