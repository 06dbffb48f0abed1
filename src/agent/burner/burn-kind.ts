import { findDrive, type DriveConfig } from '../drives.js';
import { AgentError } from '../errors.js';
import { ImageError, resolveImage } from '../images.js';
import type { JobKind } from '../job-kind.js';
import { burnEntrySchema, JobLedger, type BurnEntry } from '../ledger.js';
import { stopOrphan } from '../orphans.js';
import type { BurnOutcome, BurnRequestMessage, BurnResult } from '../../protocol/index.js';
import { BurnJob } from './burn-job.js';

export interface BurnKindOptions {
  readonly stateDir: string;
  readonly drives: readonly DriveConfig[];
  readonly imagesDir: string;
  readonly xorriso?: string | undefined;
}

export type BurnKind = JobKind<BurnRequestMessage, BurnEntry, BurnResult, BurnJob>;

/** Burns as a job kind: one per drive, an image from the images directory, recorded in `jobs.jsonl`. */
export function burnKind(o: BurnKindOptions): BurnKind {
  return {
    name: 'burn',
    ledger: new JobLedger(o.stateDir, 'jobs', burnEntrySchema),
    slot: (req) => findDrive(o.drives, req.drive).name,
    busy: (drive, holder) => `drive ${drive} is busy with job ${holder}`,
    async prepare(req) {
      const drive = findDrive(o.drives, req.drive);
      const image = await resolveImage(o.imagesDir, req.image).catch((err: unknown) => {
        throw err instanceof ImageError ? new AgentError('bad_image', err.message) : err;
      });
      return {
        entry: (startedAt) => ({ jobId: req.jobId, image: image.name, drive: drive.name, startedAt }),
        job: (entry, out) =>
          new BurnJob({
            jobId: req.jobId,
            startedAt: entry.startedAt,
            image,
            drive,
            verify: req.verify,
            eject: req.eject,
            speed: req.speed,
            xorriso: o.xorriso,
            onPid: (pid) => out.pid(pid),
            onEvent: (e) => (e.op === 'log' ? out.log(e.line) : out.progress(e.progress)),
          }),
      };
    },
    status: (e, job) => ({ jobId: e.jobId, state: 'running', image: e.image, drive: e.drive, startedAt: e.startedAt, ...(job.progress ? { progress: job.progress } : {}) }),
    describe: (e) => ({ image: e.image, drive: e.drive }),
    stopOrphan: (pid) => stopOrphan(pid),
    interrupted: (e) => ended(e, 'failed_interrupted', 'the agent stopped while this burn was running; the disc is incomplete and the burn was not restarted'),
    failed: (e, err) => ended(e, 'failed', `burn failed: ${err.message}`),
  };
}

/** A result the burn could not give itself. */
function ended(e: BurnEntry, outcome: BurnOutcome, message: string): BurnResult {
  return { outcome, ok: false, message, image: e.image, drive: e.drive, verified: false, ejected: false, startedAt: e.startedAt, finishedAt: new Date().toISOString() };
}
