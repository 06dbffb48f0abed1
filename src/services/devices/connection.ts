import { randomBytes } from 'node:crypto';
import * as zmq from 'zeromq';
import type { Logger } from 'pino';
import {
  agentMessageSchema,
  decodeFrame,
  encodeFrame,
  MAX_MESSAGE_BYTES,
  MAX_REQUEST_BYTES,
  SendQueue,
  statusReplySchema,
  WarnLimiter,
  type AgentMessage,
  type AnswerMessage,
  type Decoded,
  type RequestInput,
} from '../../protocol/index.js';
import { DeviceError } from './errors.js';
import { JobEventStream, type EventSink } from './job-stream.js';
import { PendingRequests } from './pending-requests.js';
import type { AgentState, AnyResult, JobEvent } from './types.js';

export interface AgentEndpoint {
  readonly name: string;
  readonly endpoint: string;
  readonly serverKey: string;
  readonly heartbeatMs?: number | undefined;
  /** Missed heartbeat intervals before the agent is reported down. */
  readonly liveness?: number | undefined;
  readonly requestTimeoutMs?: number | undefined;
}

export interface ClientKeys {
  readonly public: string;
  readonly secret: string;
}

/** A request as callers write it: the connection adds `v` and `id`. */
export type Outgoing = RequestInput extends infer R ? (R extends { op: infer O } ? (O extends 'heartbeat' ? never : Omit<R, 'v' | 'id'>) : never) : never;

const HEARTBEAT = JSON.stringify({ v: 1, op: 'heartbeat' });

function anyStatus(data: unknown) {
  const st = statusReplySchema.safeParse(data);
  return st.success ? st.data : undefined;
}

/**
 * One DEALER to one agent. libzmq reconnects by itself; this adds request ids with timeouts, an
 * up/down state from heartbeats, and job streams that re-attach (status + watch) when the agent
 * comes back, so a lost agent shows up as an event, never as silence.
 */
export class AgentConnection {
  state: AgentState = 'connecting';
  lastSeen: number | undefined;
  private readonly socket: zmq.Dealer;
  private readonly pending = new PendingRequests();
  private readonly streams = new Map<string, Set<EventSink>>();
  private readonly drops: WarnLimiter;
  private readonly waiters = new Set<() => void>();
  private closed = false;
  private readonly hb: number;
  private readonly timeoutMs: number;
  private readonly outbox: SendQueue<string>;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;

  constructor(
    readonly ep: AgentEndpoint,
    keys: ClientKeys,
    private readonly log: Logger,
    private readonly onState: (state: AgentState) => void,
  ) {
    this.hb = ep.heartbeatMs ?? 2_000;
    this.timeoutMs = ep.requestTimeoutMs ?? 10_000;
    this.socket = new zmq.Dealer({
      curveServerKey: ep.serverKey,
      curvePublicKey: keys.public,
      curveSecretKey: keys.secret,
      // A stable identity lets the agent keep routing a job's events to us across reconnects.
      routingId: `opsline-${randomBytes(8).toString('hex')}`,
      // Never queue a request for an agent that is not connected: a burn delivered late is worse than a refusal.
      immediate: true,
      sendTimeout: 0,
      linger: 0,
      reconnectInterval: 200,
      reconnectMaxInterval: 5_000,
      // ZMTP heartbeats make libzmq drop a dead TCP connection and reconnect.
      heartbeatInterval: this.hb,
      heartbeatTimeout: this.hb * 3,
    });
    this.outbox = new SendQueue((frame) => this.socket.send(frame));
    this.drops = new WarnLimiter(log);
  }

  start(): void {
    this.socket.connect(this.ep.endpoint);
    void this.receive();
    void this.watchEvents();
    this.startedAt = Date.now();
    this.timer = setInterval(() => this.tick(), this.hb);
    // The first heartbeat goes now, so the first request need not wait a whole interval for "up".
    this.tick();
  }

  /** Sends one request and resolves with its `reply` or `accepted`; agent errors reject as DeviceError. */
  request(msg: Outgoing, timeoutMs = this.timeoutMs, v: 1 | 2 = 1): Promise<AnswerMessage> {
    // Up (the usual case): sent in this very turn, not one promise later.
    if (this.state === 'up') return this.send(msg, Date.now() + timeoutMs, timeoutMs, v);
    const deadline = Date.now() + timeoutMs;
    return this.whenUp(timeoutMs).then(() => this.send(msg, deadline, timeoutMs, v));
  }

  /**
   * `v` is 1 unless the message has a shape only version 2 knows (`run` with `args`): every other
   * request reads the same to agents of both releases (docs/agent.md, "Versions").
   */
  private send(msg: Outgoing, deadline: number, timeoutMs: number, v: 1 | 2): Promise<AnswerMessage> {
    const { id, answer } = this.pending.add(
      deadline - Date.now(),
      () => DeviceError.of('timeout', { agent: this.ep.name, request: msg.op, ms: String(timeoutMs) }),
    );
    const frame = encodeFrame({ v, id, ...msg }, MAX_REQUEST_BYTES);
    if (frame === undefined) this.pending.fail(id, DeviceError.of('too_large', { request: msg.op, bytes: String(MAX_REQUEST_BYTES) }));
    // A request that timed out while its frame waited behind others is not sent after all: the caller
    // was told "timeout", so a burn or run must not start behind its back.
    else this.outbox.send(frame, () => this.pending.has(id)).catch((err: Error) => this.pending.fail(id, this.downError(err.message)));
    return answer;
  }

  /**
   * A stream registered before the request that starts it: job events may overtake `accepted`.
   * `isResult` says which kind of job it is (burn or run), so its `done` is typed.
   */
  openStream<R extends AnyResult>(jobId: string, isResult: (r: AnyResult) => r is R): JobEventStream<R> {
    const s: JobEventStream<R> = new JobEventStream(this.ep.name, jobId, false, isResult, () => this.streams.get(jobId)?.delete(s));
    const set = this.streams.get(jobId) ?? new Set<EventSink>();
    set.add(s);
    this.streams.set(jobId, set);
    return s;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    // A request still waiting for the agent to come up (its timer may run for minutes) fails now.
    this.closed = true;
    for (const w of [...this.waiters]) w();
    this.pending.failAll(() => DeviceError.of('down', {}, 'device client closed'));
    for (const set of this.streams.values()) for (const s of set) s.close();
    await this.outbox.idle();
    this.socket.close();
  }

  private async receive(): Promise<void> {
    try {
      for await (const [frame] of this.socket) {
        if (!frame) continue;
        // Nothing an agent sends may end this loop: a bad frame is dropped, the connection stays.
        const msg = decodeFrame(frame, agentMessageSchema, MAX_MESSAGE_BYTES);
        if (!msg.ok) {
          this.dropped(msg);
          continue;
        }
        this.lastSeen = Date.now();
        if (this.state !== 'up') this.setState('up');
        try {
          this.dispatch(msg.value);
        } catch (err) {
          this.log.error({ err, agent: this.ep.name, op: msg.value.op }, 'could not handle a message from the agent');
        }
      }
    } catch (err) {
      if (!this.socket.closed) this.log.error({ err }, 'device client receive loop stopped');
    }
  }

  /** Logged at warn, at most once a minute per reason; an answer we could not read fails its request now, not at the timeout. */
  private dropped(d: Extract<Decoded<unknown>, { ok: false }>): void {
    this.drops.warn(d.reason, { agent: this.ep.name, reason: d.reason, detail: d.detail.slice(0, 300) }, 'dropped a message from the agent that does not fit the protocol');
    if (d.id !== undefined) this.pending.fail(d.id, DeviceError.of('bad_reply', {}, `agent ${this.ep.name} sent a malformed answer (${d.detail.slice(0, 200)})`));
  }

  private dispatch(msg: AgentMessage): void {
    switch (msg.op) {
      case 'heartbeat':
        return;
      case 'reply':
      case 'accepted':
        return this.pending.settle(msg.id, msg);
      case 'error':
        if (msg.id !== undefined) return this.pending.fail(msg.id, DeviceError.fromAgent(this.ep.name, msg.code, msg.message));
        // An error without an id answers a frame the agent could not read at all: nothing of ours waits for it.
        return this.drops.warn('error_without_id', { agent: this.ep.name, code: msg.code, message: msg.message.slice(0, 300) }, 'the agent could not read a message from this bot');
      case 'progress': {
        const { jobId, phase, bytes, total, rate } = msg;
        return this.emit({ type: 'progress', jobId, phase, bytes, total, rate });
      }
      case 'log':
        return this.emit({ type: 'log', jobId: msg.jobId, line: msg.line });
      case 'done':
        // Each stream checks the result's kind (burn or run) against its own.
        return this.emit({ type: 'done', jobId: msg.jobId, result: msg.result });
    }
  }

  private async watchEvents(): Promise<void> {
    try {
      for await (const ev of this.socket.events) {
        if (ev.type === 'handshake:error:auth') {
          this.drops.warn('refused', { agent: this.ep.name, status: ev.error.status }, 'agent refused our CURVE key');
          this.setState('refused');
        } else if (ev.type === 'handshake') {
          // The heartbeat start() sends goes nowhere while the connection is not up yet (`immediate`);
          // this one is answered at once, so "up" (and /readyz, and the first request) need not wait an interval.
          this.outbox.send(HEARTBEAT).catch(() => undefined);
        } else if (ev.type === 'disconnect' && this.state === 'up') this.setState('down');
      }
    } catch {
      // The observer ends with the socket.
    }
  }

  private tick(): void {
    this.outbox.send(HEARTBEAT).catch(() => undefined);
    const limit = this.hb * (this.ep.liveness ?? 3);
    const silent = this.lastSeen === undefined ? Infinity : Date.now() - this.lastSeen;
    if (this.state === 'up' && silent > limit) this.setState('down');
    // An agent that never answered is down too, so requests to it fail fast instead of waiting.
    if (this.state === 'connecting' && Date.now() - this.startedAt > limit) this.setState('down');
  }

  private setState(state: AgentState): void {
    if (state === this.state) return;
    const before = this.state;
    this.state = state;
    this.log.info({ state, before }, 'agent state changed');
    this.onState(state);
    for (const w of [...this.waiters]) w();
    if (state === 'up') {
      if (before !== 'connecting') this.reattach();
    } else if (state === 'down' || state === 'refused') {
      this.pending.failAll(() => this.downError());
    }
    if (before === 'up' || state === 'up')
      for (const [jobId, set] of this.streams) for (const s of set) s.push({ type: 'agent', jobId, state });
  }

  /** After the agent comes back: ask about each watched job, subscribing again if it still runs. */
  private reattach(): void {
    for (const jobId of this.streams.keys()) {
      this.request({ op: 'status', jobId, watch: true })
        .then((m) => {
          // Burn and run statuses differ only while running; a finished run's result is routed like a burn's.
          const st = m.op === 'reply' ? anyStatus(m.data) : undefined;
          if (!st) throw DeviceError.of('bad_reply', {}, `agent ${this.ep.name} sent a malformed status for ${jobId}`);
          if (st.state === 'finished') this.emit({ type: 'done', jobId, result: st.result });
          if (st.state === 'unknown') this.emit({ type: 'error', jobId, code: 'unknown_job', message: `agent ${this.ep.name} no longer knows job ${jobId}` });
        })
        .catch((err: Error) => this.log.warn({ err, jobId }, 'could not re-attach to a job'));
    }
  }

  private whenUp(requestTimeoutMs: number): Promise<void> {
    if (this.state === 'up') return Promise.resolve();
    if (this.state === 'refused') return Promise.reject(this.downError());
    // A down agent gets two heartbeats to come back (it answers the next one if it has); waiting the
    // whole request timeout would make /images or /drives slow whenever one of several agents is down.
    const timeoutMs = this.state === 'down' ? Math.min(requestTimeoutMs, this.hb * 2) : requestTimeoutMs;
    return new Promise((resolve, reject) => {
      // Called on every state change: up lets the request go, refused fails it at once.
      const done = (): void => {
        if (this.state !== 'up' && this.state !== 'refused' && !this.closed) return;
        clearTimeout(t);
        this.waiters.delete(done);
        if (this.closed) reject(DeviceError.of('down', {}, 'device client closed'));
        else if (this.state === 'up') resolve();
        else reject(this.downError());
      };
      const t = setTimeout(() => {
        this.waiters.delete(done);
        reject(this.downError());
      }, timeoutMs);
      this.waiters.add(done);
    });
  }

  private downError(detail?: string): DeviceError {
    if (this.state === 'refused')
      return DeviceError.of('refused', { agent: this.ep.name });
    return DeviceError.of('down', { agent: this.ep.name, state: `${this.state}${detail ? `: ${detail}` : ''}` });
  }

  private emit(e: JobEvent<AnyResult>): void {
    for (const s of this.streams.get(e.jobId) ?? []) s.push(e);
  }
}
