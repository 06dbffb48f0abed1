import type { BurnKind } from './burner/burn-kind.js';
import { listImages } from './images.js';
import type { JobManager, Peer, Started } from './jobs.js';
import type { RunKind } from './runner/run-kind.js';
import { type AgentMessage, type DriveInfo, type EjectResult, type HelloInfo, type Request } from '../protocol/index.js';

/** What `hello` lists (docs/agent.md): `commands` tells a bot this agent runs declared commands (`run` with `args`). */
const CAPABILITIES = ['burn', 'deploy', 'commands'] as const;

/** What answering a request uses of the agent; src/agent/server.ts passes itself. */
export interface Served {
  readonly name: string;
  readonly heartbeatMs: number;
  readonly imagesDirectory: string;
  readonly jobs: JobManager;
  readonly burns: BurnKind;
  readonly runs: RunKind;
  /** The names under `agent.commands`, listed by a v2 `hello` (so `opsline doctor` can check a declared command's name). */
  readonly commandNames: readonly string[];
  drives(): DriveInfo[];
  eject(drive: string): Promise<EjectResult>;
}

/**
 * One request → the messages to send back to its sender (job events flow separately, to watchers).
 * Answers that need no I/O (hello, drives, status, cancel, run) come back at once, not as a promise,
 * so the server sends them in the turn it read the request.
 */
export function handleRequest(agent: Served, peer: Peer, req: Request): AgentMessage[] | Promise<AgentMessage[]> {
  // A client's heartbeat only marks it alive (the receive loop did that); it gets no answer.
  return req.op === 'heartbeat' ? [] : answer(agent, peer, req);
}

function answer(agent: Served, peer: Peer, req: Exclude<Request, { op: 'heartbeat' }>): AgentMessage[] | Promise<AgentMessage[]> {
  // Answered in the request's own version, so a client of the previous release (v 1) can read it.
  const reply = (data: unknown): AgentMessage[] => [{ v: req.v, op: 'reply', id: req.id, data }];
  switch (req.op) {
    case 'hello': {
      const info: HelloInfo = { agent: agent.name, v: req.v, heartbeatMs: agent.heartbeatMs, drives: agent.drives().length, capabilities: [...CAPABILITIES], ...(req.v === 2 ? { commands: [...agent.commandNames] } : {}) };
      return reply(info);
    }
    case 'images':
      return listImages(agent.imagesDirectory).then(reply);
    case 'drives':
      return reply(agent.drives());
    case 'burn':
    case 'run': {
      const started = req.op === 'burn' ? agent.jobs.start(agent.burns, peer, req) : agent.jobs.start(agent.runs, peer, req);
      return started instanceof Promise ? started.then((s) => accepted(req, s)) : accepted(req, started);
    }
    case 'status':
      return reply(agent.jobs.status(peer, req.jobId, req.watch));
    case 'cancel':
      agent.jobs.cancel(req.jobId);
      return reply({ jobId: req.jobId, cancelling: true });
    case 'eject':
      return agent.eject(req.drive).then(reply);
  }
}

/** `accepted`; for a job that finished before the caller re-attached, its result follows at once. */
function accepted(req: { v: 1 | 2; id: string; jobId: string }, s: Started): AgentMessage[] {
  const first: AgentMessage = { v: req.v, op: 'accepted', id: req.id, jobId: req.jobId, attached: s.attached };
  return s.finished ? [first, { v: 1, op: 'done', jobId: req.jobId, result: s.finished }] : [first];
}
