import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import * as zmq from 'zeromq';
import type { Logger } from 'pino';
import { burnKind, type BurnKind } from './burner/burn-kind.js';
import { describeDrive, ejectDrive, findDrive, type DriveConfig } from './drives.js';
import { AgentError } from './errors.js';
import { handleRequest } from './handlers.js';
import { JobManager, type Peer } from './jobs.js';
import { decodeFrame, encodeFrame, MAX_MESSAGE_BYTES, MAX_REQUEST_BYTES, requestSchema, SendQueue, type AgentMessage, type DriveInfo, type EjectResult } from '../protocol/index.js';
import type { CommandConfig } from './runner/argv.js';
import { runKind, type RunKind } from './runner/run-kind.js';
import { ZapHandler } from './zap.js';

export interface AgentOptions {
  readonly bind: string;
  readonly keys: { readonly public: string; readonly secret: string };
  readonly allowedClients: readonly string[];
  readonly imagesDir: string;
  readonly stateDir: string;
  readonly drives: readonly DriveConfig[];
  /** Deploy commands this host will run (`agent.commands`); none by default. */
  readonly commands?: Readonly<Record<string, CommandConfig>>;
  readonly heartbeatMs?: number;
  /** Shown in `hello`; defaults to the host name. */
  readonly name?: string;
  readonly xorriso?: string;
  readonly log: Logger;
}

const FLUSH_MS = 250;
/** On close, queued replies and final `done` events still get this long to leave. */
const LINGER_MS = 2_000;
/** A client that has sent nothing for this many heartbeat intervals gets no more heartbeats. */
const PEER_TTL_BEATS = 5;

/**
 * The device agent: a CURVE ROUTER whose ZAP handler admits only configured client keys. Requests
 * are handled concurrently; replies and job events share one outbox because a zeromq.js socket
 * allows one pending send at a time.
 */
export class AgentServer {
  readonly jobs: JobManager;
  readonly burns: BurnKind;
  readonly runs: RunKind;
  readonly commandNames: readonly string[];
  readonly name: string;
  readonly heartbeatMs: number;
  private readonly context = new zmq.Context();
  private readonly router: zmq.Router;
  private readonly zap: ZapHandler;
  private readonly peers = new Map<string, { peer: Peer; seen: number }>();
  private readonly outbox: SendQueue<[Peer, string]>;
  private loop: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly o: AgentOptions) {
    this.name = o.name ?? hostname();
    this.heartbeatMs = o.heartbeatMs ?? 2_000;
    // Its own context, so its ZAP endpoint cannot clash with another agent or client in this process.
    this.zap = new ZapHandler(this.context, o.allowedClients, o.log);
    // Requests are small JSON; libzmq drops a peer that sends more than MAX_REQUEST_BYTES, before we parse anything.
    this.router = new zmq.Router({ context: this.context, curveServer: true, curveSecretKey: o.keys.secret, curvePublicKey: o.keys.public, linger: LINGER_MS, handover: true, zapDomain: 'opsline', maxMessageSize: MAX_REQUEST_BYTES });
    this.outbox = new SendQueue((frames) => (this.router.closed ? Promise.resolve() : this.router.send(frames)));
    this.burns = burnKind({ stateDir: o.stateDir, drives: o.drives, imagesDir: o.imagesDir, xorriso: o.xorriso });
    this.runs = runKind(o.stateDir, o.commands ?? {});
    this.commandNames = Object.keys(o.commands ?? {}).sort();
    // Runs first: `status` and `cancel` of a jobId that both kinds know mean the run, as they always have.
    this.jobs = new JobManager({ kinds: [this.runs, this.burns], log: o.log, send: (p, m) => this.send(p, m) });
  }

  static async start(o: AgentOptions): Promise<AgentServer> {
    const server = new AgentServer(o);
    await server.jobs.recover();
    await server.zap.start();
    await server.router.bind(o.bind);
    server.loop = server.receive();
    server.timer = setInterval(() => server.beat(), server.heartbeatMs);
    o.log.info({ endpoint: server.endpoint, drives: o.drives.map((d) => d.name), clients: o.allowedClients.length }, 'agent listening');
    return server;
  }

  get imagesDirectory(): string {
    return this.o.imagesDir;
  }

  /** The bound endpoint, with the real port when bound to port 0 or `*`. */
  get endpoint(): string {
    return this.router.lastEndpoint ?? this.o.bind;
  }

  drives(): DriveInfo[] {
    return this.o.drives.map((d) => describeDrive(d, this.jobs.holder(this.burns, d.name)));
  }

  /** Opens a drive's tray, unless a burn is using the drive. */
  async eject(name: string): Promise<EjectResult> {
    const drive = findDrive(this.o.drives, name);
    const busy = this.jobs.holder(this.burns, drive.name);
    if (busy) throw new AgentError('busy', this.burns.busy(drive.name, busy));
    return ejectDrive(drive, this.o.xorriso);
  }

  async close(): Promise<void> {
    // Heartbeats go on while jobs are cancelled, so clients do not report us down too early.
    const hadJobs = await this.jobs.stop();
    clearInterval(this.timer);
    await this.outbox.idle();
    // A send resolves once queued; seen in tests: closing at once lost the final `done` despite linger.
    if (hadJobs) await sleep(FLUSH_MS);
    this.router.close();
    await this.loop;
    await this.zap.close();
  }

  private async receive(): Promise<void> {
    try {
      for await (const [peer, frame] of this.router) {
        if (!peer || !frame) continue;
        const key = peer.toString('hex');
        const known = this.peers.has(key);
        this.peers.set(key, { peer, seen: Date.now() });
        // A new (or returning) client learns at once that we are alive, not one interval later.
        if (!known) this.send(peer, { v: 1, op: 'heartbeat' });
        this.handle(peer, frame);
      }
    } catch (err) {
      if (!this.router.closed) this.o.log.error({ err }, 'agent receive loop stopped');
    }
  }

  /**
   * Requests run concurrently: a slow one (an image listing, an eject) does not hold up the next. A
   * quick answer leaves in the turn its request was read, before the loop asks libzmq for the next.
   */
  private handle(peer: Peer, frame: Buffer): void {
    const req = decodeFrame(frame, requestSchema, MAX_REQUEST_BYTES);
    if (!req.ok) {
      const code = req.reason === 'version' ? 'unsupported' : 'bad_request';
      return this.send(peer, { v: 1, op: 'error', ...(req.id ? { id: req.id } : {}), code, message: req.detail });
    }
    const { id } = req.value;
    const answer = (ms: AgentMessage[]): void => {
      for (const m of ms) this.send(peer, m);
    };
    const failed = (err: unknown): void => {
      const e = err instanceof AgentError ? err : undefined;
      if (!e) this.o.log.error({ err, id }, 'request failed');
      this.send(peer, { v: 1, op: 'error', ...(id ? { id } : {}), code: e?.code ?? 'internal', message: e?.message ?? 'internal error on the agent' });
    };
    try {
      const r = handleRequest(this, peer, req.value);
      if (Array.isArray(r)) answer(r);
      else r.then(answer, failed);
    } catch (err) {
      failed(err);
    }
  }

  send(peer: Peer, msg: AgentMessage): void {
    const frame = encodeFrame(msg, MAX_MESSAGE_BYTES);
    if (frame === undefined) {
      // Clients drop what is larger (docs/agent.md): say so to the asker rather than leave it waiting.
      this.o.log.error({ op: msg.op }, 'a message was too large to send');
      if (msg.op === 'reply' || msg.op === 'accepted') this.send(peer, { v: 1, op: 'error', id: msg.id, code: 'internal', message: 'the answer is too large to send' });
      return;
    }
    this.outbox.send([peer, frame]).catch((err: unknown) => this.o.log.warn({ err, op: msg.op }, 'could not send to a client'));
  }

  private beat(): void {
    const now = Date.now();
    for (const [key, p] of this.peers) {
      if (now - p.seen > this.heartbeatMs * PEER_TTL_BEATS) this.peers.delete(key);
      else this.send(p.peer, { v: 1, op: 'heartbeat' });
    }
  }
}
