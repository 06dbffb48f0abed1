import type { BurnResult, Progress } from '../devices/types.js';
import { BullJobQueue, type BullOptions } from './bull-jobs.js';
import { BURN_KIND, type BurnJobData, type BurnQueue } from './types.js';

export type { BullOptions } from './bull-jobs.js';

/** Burns in BullMQ: one queue per drive (`burn.<agent>.<drive>`). */
export class BullBurnQueue extends BullJobQueue<BurnJobData, BurnResult, Progress> implements BurnQueue {
  constructor(opts: BullOptions) {
    super(opts, BURN_KIND);
  }
}

