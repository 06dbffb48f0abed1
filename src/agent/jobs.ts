import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import { BurnJob } from './burner/burn-job.js';
import { describeDrive, ejectDrive, type DriveConfig } from './drives.js';
import { AgentError } from './errors.js';
import { ImageError, resolveImage } from './images.js';
import type { JobLedger, LedgerEntry } from './ledger.js';
import { stopOrphan } from './orphans.js';
import type { AgentMessage, BurnResult, DriveInfo, EjectResult, JobStatus, Request } from '../protocol/index.js';

type BurnRequest = Extract<Request, { op: 'burn' }>;
/** A client, by its ZeroMQ routing id; events for a job go to every client watching it. */
export type Peer = Buffer;

export interface JobManagerOptions {
  readonly ledger: JobLedger;
  readonly drives: readonly DriveConfig[];
  readonly imagesDir: string;
  readonly xorriso?: string | undefined;
  readonly log: Logger;
  readonly send: (peer: Peer, msg: AgentMessage) => void;
}

interface Running {
  readonly job: BurnJob;
  readonly entry: LedgerEntry;
  readonly watchers: Map<string, Peer>;
  readonly finished: Promise<BurnResult>;
}

/** Burn jobs by jobId: one per drive, recorded in the ledger, events fanned out to watchers. */
export class JobManager {
  private readonly running = new Map<string, Running>();
  private readonly driveJobs = new Map<string, string>();

  constructor(private readonly o: JobManagerOptions) {}

  /** After a restart: a job the ledger still shows as running was cut short; it is failed, never resumed. */
  async recover(): Promise<void> {
    for (const e of this.o.ledger.unfinished()) {
      const stopped = e.pid !== undefined && (await stopOrphan(e.pid));
      const now = new Date().toISOString();
      this.o.log.warn({ jobId: e.jobId, drive: e.drive, stoppedOrphan: stopped }, 'burn was interrupted by an agent restart');
      this.o.ledger.finish(e.jobId, {
        outcome: 'failed_interrupted',
        ok: false,
        message: 'the agent stopped while this burn was running; the disc is incomplete and the burn was not restarted',
        image: e.image,
        drive: e.drive,
        verified: false,
        ejected: false,
        startedAt: e.startedAt,
        finishedAt: now,
      });
    }
  }

  drives(): DriveInfo[] {
    return this.o.drives.map((d) => describeDrive(d, this.driveJobs.get(d.name)));
  }

  /** Starts a burn, or re-attaches the caller when the jobId is already known. */
  async burn(peer: Peer, req: BurnRequest): Promise<{ attached: boolean; finished?: BurnResult }> {
    const known = this.attach(peer, req.jobId);
    if (known) return known;
    const drive = this.drive(req.drive);
    const busy = this.driveJobs.get(drive.name);
    if (busy) throw new AgentError('busy', `drive ${drive.name} is busy with job ${busy}`);
    let image;
    try {
      image = await resolveImage(this.o.imagesDir, req.image);
    } catch (err) {
      if (err instanceof ImageError) throw new AgentError('bad_image', err.message);
      throw err;
    }
    // Checked again: the image lookup awaited, and another request may have taken the drive meanwhile.
    const again = this.attach(peer, req.jobId);
    if (again) return again;
    const taken = this.driveJobs.get(drive.name);
    if (taken) throw new AgentError('busy', `drive ${drive.name} is busy with job ${taken}`);

    const entry: LedgerEntry = { jobId: req.jobId, image: image.name, drive: drive.name, startedAt: new Date().toISOString() };
    try {
      this.o.ledger.start(entry);
    } catch (err) {
      // Without a ledger entry a restart could not know this burn: better not to start it.
      throw new AgentError('internal', `cannot record the job in the state directory: ${(err as Error).message}`);
    }
    const watchers = new Map([[peer.toString('hex'), peer]]);
    const job = new BurnJob({
      jobId: req.jobId,
      startedAt: entry.startedAt,
      image,
      drive,
      verify: req.verify,
      eject: req.eject,
      speed: req.speed,
      xorriso: this.o.xorriso,
      onPid: (pid) => this.savePid(req.jobId, pid),
      onEvent: (e) =>
        this.publish(watchers, e.op === 'log' ? { v: 1, op: 'log', jobId: req.jobId, line: e.line } : { v: 1, op: 'progress', jobId: req.jobId, ...e.progress }),
    });
    this.driveJobs.set(drive.name, req.jobId);
    // Started after `accepted` is on its way (docs/agent.md): spawning xorriso holds this thread for a
    // fork and exec, which the caller would otherwise wait for.
    const finished = nextTurn().then(() => job.run()).then((result) => {
      try {
        this.o.ledger.finish(req.jobId, result);
      } catch (err) {
        // The ledger keeps the result in memory before it writes the file, so this agent still knows
        // it (nobody burns again); only a restart before the next successful write would forget it.
        this.o.log.error({ err, jobId: req.jobId }, 'could not write the burn result to the ledger file');
      }
      this.running.delete(req.jobId);
      this.driveJobs.delete(drive.name);
      this.o.log.info({ jobId: req.jobId, outcome: result.outcome, drive: drive.name }, 'burn finished');
      this.publish(watchers, { v: 1, op: 'done', jobId: req.jobId, result });
      return result;
    });
    this.running.set(req.jobId, { job, entry, watchers, finished });
    this.o.log.info({ jobId: req.jobId, image: image.name, drive: drive.name }, 'burn started');
    return { attached: false };
  }

  status(peer: Peer, jobId: string, watch: boolean): JobStatus {
    const r = this.running.get(jobId);
    if (r) {
      if (watch) r.watchers.set(peer.toString('hex'), peer);
      return { jobId, state: 'running', image: r.entry.image, drive: r.entry.drive, startedAt: r.entry.startedAt, ...(r.job.progress ? { progress: r.job.progress } : {}) };
    }
    const e = this.o.ledger.get(jobId);
    if (e?.result) return { jobId, state: 'finished', result: e.result };
    return { jobId, state: 'unknown' };
  }

  cancel(jobId: string): void {
    const r = this.running.get(jobId);
    if (r) return r.job.cancel();
    if (this.o.ledger.get(jobId)) throw new AgentError('not_running', `job ${jobId} has already finished`);
    throw new AgentError('unknown_job', `no job ${jobId} on this agent`);
  }

  async eject(name: string): Promise<EjectResult> {
    const drive = this.drive(name);
    const busy = this.driveJobs.get(drive.name);
    if (busy) throw new AgentError('busy', `drive ${drive.name} is busy with job ${busy}`);
    return ejectDrive(drive, this.o.xorriso);
  }

  /** Graceful stop: running burns are cancelled (and recorded as such) rather than left orphaned. */
  async stop(): Promise<boolean> {
    const all = [...this.running.values()];
    for (const r of all) r.job.cancel();
    await Promise.all(all.map((r) => r.finished));
    return all.length > 0;
  }

  /** The pid lets a restarted agent stop an orphaned xorriso; failing to record it must not stop the burn. */
  private savePid(jobId: string, pid: number | undefined): void {
    try {
      this.o.ledger.setPid(jobId, pid);
    } catch (err) {
      this.o.log.error({ err, jobId }, 'could not write the xorriso pid to the ledger file');
    }
  }

  private attach(peer: Peer, jobId: string): { attached: true; finished?: BurnResult } | undefined {
    const r = this.running.get(jobId);
    if (r) {
      r.watchers.set(peer.toString('hex'), peer);
      return { attached: true };
    }
    const finished = this.o.ledger.get(jobId)?.result;
    if (finished) return { attached: true, finished };
    return undefined;
  }

  private drive(name: string): DriveConfig {
    const d = this.o.drives.find((x) => x.name === name);
    if (!d) throw new AgentError('unknown_drive', `no drive named ${name} on this agent (known: ${this.o.drives.map((x) => x.name).join(', ') || 'none'})`);
    return d;
  }

  private publish(watchers: Map<string, Peer>, msg: AgentMessage): void {
    for (const peer of watchers.values()) this.o.send(peer, msg);
  }
}
