import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const DIST = join(import.meta.dirname, '..', '..', 'dist', 'src');
const mod = (p: string) => JSON.stringify(pathToFileURL(join(DIST, p)).href);

/**
 * Where the worker SIGKILLs itself in a job's end: `told` once its processor has returned (the final line
 * posted and marked told, BullMQ not yet told the job is complete); `posting` as the platform takes the
 * final line (before the worker hears back: marked posting, not told); `status` as the platform takes the
 * final status edit (the end is decided, the line not posted yet); `never`.
 */
export type KillAt = 'told' | 'posting' | 'status' | 'never';

export interface DeployWorkerChildOptions {
  /** A raw config (Redis, MySQL, deploy targets, jobs timings), as a config file would give it. */
  readonly config: unknown;
  /** Every thread call is appended here as a JSON line `{ pid, kind, text }`, before the call returns. */
  readonly lines: string;
  readonly killAt: KillAt;
}

/**
 * A separate Node process (the built dist/) that works deploy jobs the way `opsline worker` does: the
 * real deploy processor on the real BullMQ queue, Redis locks and the MySQL job record, and the lost-worker
 * watch. Its thread transport writes each call to a file, synchronously, so a SIGKILL loses none of
 * what the platform took. Resolves once the worker runs.
 */
export async function startDeployWorker(o: DeployWorkerChildOptions): Promise<ChildProcess & { output(): string }> {
  const script = `
import { appendFileSync } from 'node:fs';
import { pino } from 'pino';
import { buildConfig } from ${mod('config/load.js')};
import { BullJobQueue } from ${mod('services/queue/bull-jobs.js')};
import { DEPLOY_KIND } from ${mod('services/deploy/types.js')};
import { RedisDeployStore } from ${mod('services/deploy/redis-store.js')};
import { DeployService } from ${mod('services/deploy/service.js')};
import { Transports } from ${mod('relay/transports.js')};
import { deployProcessor } from ${mod('jobs/deploy.js')};
import { deployEnds } from ${mod('jobs/job-ends.js')};
import { watchLostWorkers } from ${mod('jobs/lost-workers.js')};
import { buildMysqlServices } from ${mod('services/db/index.js')};
import { plainText } from ${mod('core/message.js')};
const o = JSON.parse(process.argv[1]);
const config = buildConfig(o.config);
const log = pino({ level: 'info' });
const queue = new BullJobQueue({ ...config.redis, ...config.jobs, log }, DEPLOY_KIND);
const targets = config.deploy.targets;
const service = new DeployService(targets, queue, new RedisDeployStore(config.redis, config.redis.prefix, log));
const { jobLog } = buildMysqlServices(config, log, () => new Date());
const say = (kind, text) => appendFileSync(o.lines, JSON.stringify({ pid: process.pid, kind, text: plainText(text) }) + '\\n');
let n = 0;
const transports = new Transports();
transports.add({
  platform: 'test',
  editIntervalMs: 0,
  async postReply(_ref, text) { say('reply', text); return 'm' + ++n; },
  async edit(_ref, _id, text) {
    say('edit', text);
    if (o.killAt === 'status' && /^[✔✘]/.test(plainText(text))) process.kill(process.pid, 'SIGKILL');
  },
  async finalReply(_ref, text) {
    say('final', text);
    if (o.killAt === 'posting') process.kill(process.pid, 'SIGKILL');
    return 'm' + ++n;
  },
});
const processor = deployProcessor({ service, masked: [], transports, log, jobLog });
const run = o.killAt !== 'told' ? processor : async (...a) => {
  try {
    return await processor(...a);
  } finally {
    process.kill(process.pid, 'SIGKILL');
  }
};
queue.work(targets.map((t) => t.name), run);
watchLostWorkers(queue, transports, log, config.jobs.heartbeatMs / 2, deployEnds(jobLog));
log.info('deploy worker ready');
`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(o)], { cwd: join(DIST, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => void (out += d.toString());
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  await new Promise<void>((resolve, reject) => {
    const check = () => out.includes('deploy worker ready') && resolve();
    child.stdout.on('data', check);
    child.once('exit', (code, signal) => reject(new Error(`the deploy worker exited (${code ?? signal}) before it was ready:\n${out.slice(-4000)}`)));
  });
  return Object.assign(child, { output: () => out });
}
