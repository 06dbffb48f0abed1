import { UserError } from '../core/errors.js';
import type { StatusReport, StatusService, StatusWindow } from '../core/ports.js';
import type { DeviceClient, DriveInfo } from '../services/devices/types.js';

/** In-memory services for `opsline/testing` (docs/plugins.md, "Testing a plugin"). */

/** The counts a test sets: `{ done: 5, queued: 2 }`; `done` names the statuses counted as done (default `['done']`). */
export interface TestStatus {
  readonly counts: Readonly<Record<string, number>>;
  readonly done?: readonly string[];
  /** Whether windows other than `all` may be asked for (default true). */
  readonly hasTimeColumn?: boolean;
}

/** A status service whose counts a test sets; every window reports them. */
export class SettableStatus implements StatusService {
  #status: TestStatus;

  constructor(
    status: TestStatus,
    private readonly now: () => Date,
  ) {
    this.#status = status;
  }

  get hasTimeColumn(): boolean {
    return this.#status.hasTimeColumn ?? true;
  }

  set(status: TestStatus): void {
    this.#status = status;
  }

  async report(window: StatusWindow): Promise<StatusReport> {
    const done = new Set(this.#status.done ?? ['done']);
    const counts = Object.entries(this.#status.counts).map(([status, count]) => ({ status, count }));
    const total = counts.reduce((n, c) => n + c.count, 0);
    return { window, counts, total, done: counts.filter((c) => done.has(c.status)).reduce((n, c) => n + c.count, 0), at: this.now() };
  }
}

/** Drives by agent, as a test lists them: `{ burner1: [{ name: 'dvd1', kind: 'device' }] }`. */
export type TestDevices = Readonly<Record<string, readonly DriveInfo[]>>;

/** A device client that lists the given agents (all up) and their drives; anything that would burn or run is refused. */
export function listedDevices(devices: TestDevices): DeviceClient {
  const agents = new Map(Object.entries(devices));
  const known = (agent: string) => {
    const drives = agents.get(agent);
    if (!drives) throw new UserError('not_found', `no agent named ${agent} (known: ${[...agents.keys()].join(', ')})`);
    return drives;
  };
  const refused = async (): Promise<never> => {
    throw new UserError('not_configured', 'the test kit lists devices only: burns, runs and ejects are not carried out');
  };
  return {
    agents: () => [...agents.keys()].map((name) => ({ name, state: 'up' as const })),
    state: (agent) => (known(agent), 'up'),
    onStateChange: () => () => {},
    hello: async (agent) => ({ agent, v: 2 as const, heartbeatMs: 1000, drives: known(agent).length }),
    images: async (agent) => (known(agent), []),
    drives: async (agent) => known(agent).map((d) => ({ ...d })),
    burn: refused,
    watch: refused,
    status: refused,
    cancel: refused,
    eject: refused,
    run: refused,
    watchRun: refused,
    runCommand: refused,
    runStatus: refused,
    close: async () => {},
  };
}
