import { UserError } from '../core/errors.js';
import type { ThreadRef } from '../core/thread.js';
import type { Principal } from '../core/principal.js';
import type { AgentState, DeviceClient, DriveInfo, ImageInfo } from './devices/types.js';
import type { BurnJobView, BurnQueue } from './queue/types.js';
import { noWorkerNote } from './queue/no-worker.js';
import { threadPosted } from './queue/thread-posted.js';
import { MaybeDoneError } from './redis-errors.js';

export interface AgentDrives {
  readonly agent: string;
  readonly state: AgentState;
  readonly drives: readonly DriveInfo[];
  readonly error?: string;
}

export interface DriveRef {
  readonly agent: string;
  readonly drive: string;
}

/** /burn, /images, /drives and /eject over the device client and the per-drive queues. */
/** What a command that burns, lists images or drives, or ejects is given (commands/shared/burns.ts). */
export interface BurnsPort {
  /** Burns, images, drives and eject; undefined without agents (or the demo's in-process agent). */
  readonly burns?: BurnService;
  /** Why burns, images, drives and command deploys are off here (the demo without xorriso). */
  readonly devicesOff?: string;
}

export class BurnService {
  constructor(
    readonly devices: DeviceClient,
    readonly queue: BurnQueue,
  ) {}

  /** Every agent with its drives; an agent that does not answer is listed with the reason. */
  async drives(): Promise<AgentDrives[]> {
    return Promise.all(
      this.devices.agents().map(async (a) => {
        try {
          return { agent: a.name, state: a.state, drives: await this.devices.drives(a.name) };
        } catch (err) {
          return { agent: a.name, state: a.state, drives: [], error: (err as Error).message };
        }
      }),
    );
  }

  async drivesOf(agent: string): Promise<AgentDrives[]> {
    return [{ agent, state: this.devices.state(agent), drives: await this.devices.drives(agent) }];
  }

  async images(): Promise<{ agent: string; images: readonly ImageInfo[]; error?: string }[]> {
    return Promise.all(
      this.devices.agents().map(async (a) => {
        try {
          return { agent: a.name, images: await this.devices.images(a.name) };
        } catch (err) {
          return { agent: a.name, images: [], error: (err as Error).message };
        }
      }),
    );
  }

  /** `dvd1`, `burner1/dvd1`, or nothing when there is exactly one drive. */
  async resolveDrive(name: string | undefined): Promise<DriveRef> {
    // `agent/drive` asks that agent alone, so another agent being down does not slow it down.
    const named = name?.includes('/') ? name.split('/', 1)[0] : undefined;
    const agents = named && this.devices.agents().some((a) => a.name === named) ? await this.drivesOf(named) : await this.drives();
    const all = agents.flatMap((a) => a.drives.map((d) => ({ agent: a.agent, drive: d.name })));
    const label = (d: DriveRef) => `${d.agent}/${d.drive}`;
    if (all.length === 0) throw new UserError('unavailable', 'no drives available (is the device agent up? /drives shows)');
    if (name === undefined) {
      if (all.length === 1) return all[0]!;
      throw new UserError('usage', `which drive? one of: ${all.map(label).join(', ')}`);
    }
    const [agent, drive] = name.includes('/') ? name.split('/', 2) : [undefined, name];
    const matches = all.filter((d) => d.drive === drive && (agent === undefined || d.agent === agent));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new UserError('usage', `drive ${name} exists on several agents; say one of: ${matches.map(label).join(', ')}`);
    throw new UserError('not_found', `no drive named ${name}; known: ${all.map(label).join(', ')}`);
  }

  async image(agent: string, name: string): Promise<ImageInfo> {
    const found = (await this.devices.images(agent)).find((i) => i.name === name);
    if (!found) throw new UserError('not_found', `no image ${name} on ${agent}; /images lists what can be burnt`);
    return found;
  }

  /** Queues a burn; `note` says when no worker takes jobs for the drive (and what to start). */
  async add(id: string, drive: DriveRef, image: string, verify: boolean, requester: Principal, thread: ThreadRef) {
    const data = { ...drive, image, verify, requester, thread, requestedAt: new Date().toISOString() };
    // The thread is posted: if this process dies before the job is queued, another one ends the thread (src/jobs/unqueued.ts).
    // One left behind for a job that was queued is dropped by the sweep, which finds the job.
    await threadPosted(this.queue, id, data);
    const { position } = await this.queue.add(id, data).catch(async (err: unknown) => {
      // One that may be queued keeps its opening: if it was not queued after all, the sweep says so in its thread.
      if (!(err instanceof MaybeDoneError)) await this.queue.dropOpening?.(id);
      throw err;
    });
    return { position, note: await noWorkerNote(this.queue, data, `burns on ${drive.agent}/${drive.drive}`) };
  }

  async job(id: string): Promise<BurnJobView> {
    const job = await this.queue.get(id);
    if (!job) throw new UserError('not_found', `no burn job ${id}; /burn list shows the queued and running ones`);
    return job;
  }
}
