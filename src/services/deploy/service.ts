import type { Role } from '../../words/roles.js';
import { REF_MAX_LENGTH } from '../../words/names.js';
import { UserError, withOutcome } from '../../core/errors.js';
import type { ThreadRef } from '../../core/thread.js';
import type { Principal } from '../../core/principal.js';
import type { DeviceClient } from '../devices/types.js';
import { DeviceError } from '../devices/errors.js';
import { noWorkerNote } from '../queue/no-worker.js';
import { threadPosted } from '../queue/thread-posted.js';
import { MaybeDoneError } from '../redis-errors.js';
import type { DeployJobView, DeployQueue, DeployStore, DeployTarget, LastDeploy, LockHolder } from './types.js';

/** The roles every deploy target needs unless it names its own. */
export const DEFAULT_DEPLOY_ROLES: readonly Role[] = ['deployer'];
/** The /deploy paths whose refusal depends on the target: its own `roles` replace deployer for it. */
const PER_TARGET_PATHS = ['deploy run', 'deploy lock', 'deploy unlock', 'deploy cancel'];

/**
 * Roles that get past the check before parsing for the per-target paths: deployer (the paths' own
 * roles) plus every role some target names, so that an operator may reach a `roles: [operator]`
 * target; which target they may deploy is decided by `mayDeploy` (docs/deploy.md, "Who may deploy").
 */
export function perTargetRoles(targets: readonly Pick<DeployTarget, 'roles'>[]): ReadonlyMap<string, readonly Role[]> {
  const named = [...new Set(targets.flatMap((t) => t.roles ?? []))];
  return new Map(named.length ? PER_TARGET_PATHS.map((p) => [p, named]) : []);
}

/** Refs are short; this also bounds what a pattern is ever tested against. */

export interface TargetState {
  readonly target: DeployTarget;
  readonly lock?: LockHolder;
  readonly last?: LastDeploy;
}

/** /deploy over the configured targets, the per-target queues, and the lock and history store. */
/** What /deploy and /jobs are given: deploy targets, locks and jobs; undefined without `deploy.targets`. */
export interface DeploysPort {
  readonly deploys?: DeployService;
}

export class DeployService {
  readonly #targets: ReadonlyMap<string, DeployTarget>;

  constructor(
    targets: readonly DeployTarget[],
    readonly queue: DeployQueue,
    readonly store: DeployStore,
    /** The agents' client, for command targets. */
    readonly devices?: DeviceClient,
    /** Why command targets cannot run here (the demo without xorriso). */
    private readonly devicesOff?: string,
  ) {
    this.#targets = new Map(targets.map((t) => [t.name, t]));
  }

  targets(): DeployTarget[] {
    return [...this.#targets.values()];
  }

  target(name: string): DeployTarget {
    const t = this.#targets.get(name);
    if (!t) throw new UserError('not_found', `no deploy target ${name}; known: ${[...this.#targets.keys()].join(', ') || 'none'}`);
    return t;
  }

  /** Refuses a command target whose agents are off here, before anything is asked or queued. */
  ready(t: DeployTarget): void {
    if (t.kind === 'command' && this.devicesOff) throw new UserError('unavailable', this.devicesOff);
  }

  /** A target's `roles` replace the default deployer requirement for it; admin may deploy everything. */
  mayDeploy(t: DeployTarget, roles: readonly Role[]): boolean {
    const needed = t.roles ?? DEFAULT_DEPLOY_ROLES;
    return roles.includes('admin') || roles.some((r) => needed.includes(r));
  }

  /** The ref to deploy: the one given (matched whole against the target's pattern) or the target's default. */
  ref(t: DeployTarget, given: string | undefined): string {
    const ref = given ?? t.defaultRef;
    if (ref === undefined) throw new UserError('usage', `${t.name} needs a ref: /deploy ${t.name} <ref>`);
    if (ref.length > REF_MAX_LENGTH || !new RegExp(`^(?:${t.refPattern})$`, 'u').test(ref))
      throw new UserError('bad_input', `ref ${JSON.stringify(ref.slice(0, 40))}${ref.length > 40 ? '…' : ''} is not allowed for ${t.name} (it must match ${t.refPattern})`);
    return ref;
  }

  /**
   * Takes the target's lock for a job, queues the job, and gives the lock back if queueing fails.
   * `note` says when no worker takes deploys of the target (and what to start).
   */
  async start(id: string, t: DeployTarget, ref: string, requester: Principal, thread: ThreadRef): Promise<{ note: string }> {
    const holder: LockHolder = { by: requester, since: new Date().toISOString(), jobId: id, reason: `deploy ${ref}` };
    const data = { target: t.name, ref, requester, thread, requestedAt: holder.since };
    // The thread is posted: if this process dies before the job is queued, another one finds the
    // opening, frees the lock and tells the thread (src/jobs/unqueued.ts, docs/hosting.md).
    // One left behind for a job that was queued is dropped by the sweep, which finds the job.
    await threadPosted(this.queue, id, data);
    const got = await this.store.lock(t.name, holder).catch(async (err: unknown) => {
      await this.queue.dropOpening?.(id);
      throw err;
    });
    if (!got.ok) {
      await this.queue.dropOpening?.(id);
      throw new UserError('conflict', `${t.name} is locked by ${describeHolder(got.holder)}`);
    }
    try {
      await this.queue.add(id, data);
    } catch (err) {
      // A job that may be queued keeps its lock: it is released when the job ends, and two deploys never overlap.
      // Its opening stays too: if it was not queued after all, the sweep says so in its thread.
      if (err instanceof MaybeDoneError) throw err;
      await this.queue.dropOpening?.(id);
      const released = await this.store.release(t.name, holder).catch(() => false);
      throw released ? err : withOutcome(err, `the lock on ${t.name} is still held: /deploy unlock ${t.name} releases it`);
    }
    return { note: await noWorkerNote(this.queue, data, `deploys of ${t.name}`) };
  }

  /**
   * Releases a lock that this job took (and only that one). A worker calls it as the job ends, with
   * nobody waiting: the store's calls are bounded for commands, so a Redis that is briefly away gets
   * `tries` chances a second apart rather than leaving the target locked.
   */
  async releaseFor(target: string, jobId: string, tries = 30): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const held = await this.store.holder(target);
        if (held?.jobId === jobId) await this.store.release(target, held);
        return;
      } catch (err) {
        if (attempt >= tries || !(err instanceof UserError && err.code === 'unavailable')) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  async lock(t: DeployTarget, by: Principal, reason: string | undefined): Promise<void> {
    const got = await this.store.lock(t.name, { by, since: new Date().toISOString(), ...(reason ? { reason } : {}) });
    if (!got.ok) throw new UserError('conflict', `${t.name} is already locked by ${describeHolder(got.holder)}`);
  }

  /** The holder or an admin may unlock; a deploy's own lock goes when the deploy ends. */
  async unlock(t: DeployTarget, by: Principal, isAdmin: boolean): Promise<LockHolder> {
    const held = await this.store.holder(t.name);
    if (!held) throw new UserError('conflict', `${t.name} is not locked`);
    if (held.by.key !== by.key && !isAdmin) throw new UserError('denied', `${t.name} is locked by ${describeHolder(held)}; only they or an admin may unlock it`);
    if (held.jobId && (await this.queue.get(held.jobId))?.state === 'running' && !isAdmin)
      throw new UserError('conflict', `${t.name} is held by running deploy ${held.jobId}; it is released when the deploy ends`);
    if (!(await this.store.release(t.name, held))) throw new UserError('conflict', `the lock on ${t.name} changed meanwhile; look again with /deploy list`);
    return held;
  }

  /** Stops a running command deploy on its agent; the job then ends as cancelled and frees the lock. */
  async cancelRunning(t: DeployTarget, id: string): Promise<'stopping' | 'not_started'> {
    // A webhook has been sent already; only a command on an agent can still be stopped.
    if (t.kind !== 'command' || !this.devices) throw new UserError('conflict', `deploy job ${id} is a webhook that has been sent; it cannot be called back`);
    return this.cancelOnAgent(t.agent ?? '', id);
  }

  /**
   * Stops a running job's command on its agent. Marked first: a job still waiting for its command
   * (another job of it runs, src/jobs/deploy.ts) never starts; `not_started` when the agent did not have it yet
   * (one whose start was on its way is stopped by its worker as soon as the agent answers).
   */
  async cancelOnAgent(agent: string, id: string): Promise<'stopping' | 'not_started'> {
    if (!this.devices) throw new UserError('not_configured', 'no device agents are configured here');
    await this.queue.requestCancel(id);
    try {
      await this.devices.cancel(agent, id);
      return 'stopping';
    } catch (err) {
      if (err instanceof DeviceError && err.agentCode === 'unknown_job') return 'not_started';
      throw err;
    }
  }

  async states(): Promise<TargetState[]> {
    return Promise.all(
      this.targets().map(async (target) => {
        const [lock, last] = await Promise.all([this.store.holder(target.name), this.store.last(target.name)]);
        return { target, ...(lock ? { lock } : {}), ...(last ? { last } : {}) };
      }),
    );
  }

  async job(id: string): Promise<DeployJobView> {
    const job = await this.queue.get(id);
    if (!job) throw new UserError('not_found', `no deploy job ${id}`);
    return job;
  }
}

export function describeHolder(h: LockHolder): string {
  const what = h.jobId ? `deploy ${h.jobId}` : h.reason ? `"${h.reason}"` : 'a manual lock';
  return `${h.by.name} (${h.by.key}) since ${h.since.slice(0, 19).replace('T', ' ')} UTC: ${what}`;
}
