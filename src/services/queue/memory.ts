import type { BurnResult, Progress } from '../devices/types.js';
import { MemoryJobQueue } from './memory-jobs.js';
import { BURN_KIND, type BurnJobData, type BurnQueue } from './types.js';

/** The in-process burn queue for the demo and unit tests: one lane per drive. */
export class MemoryBurnQueue extends MemoryJobQueue<BurnJobData, BurnResult, Progress> implements BurnQueue {
  constructor() {
    super(BURN_KIND);
  }
}
