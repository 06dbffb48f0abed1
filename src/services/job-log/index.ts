export { MemoryJobLog } from './memory.js';
export { pruneJobLog } from './prune.js';
export type { JobEnd, JobLine, JobLog, JobLogKind, JobLogPort, JobRecord, JobStart } from './types.js';
