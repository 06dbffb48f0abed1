import { OperatorError } from '../../core/errors.js';

/**
 * Thrown when this process stops mid-job: the job stays active, its lock lapses, another worker
 * re-attaches. Here with the queue, not with the burn job, so that whoever watches failed jobs
 * (src/schedules/job-failures.ts) can tell a stop from a failure without loading the job kinds.
 */
export class WorkerStopping extends OperatorError<'worker_stopping'> {
  constructor(message: string) {
    super('worker_stopping', message);
    this.name = 'WorkerStopping';
  }
}
