import type { AgentErrorCode } from '../../protocol/index.js';
import { UserError, type ErrorCode } from '../../core/errors.js';

const CODES: Record<AgentErrorCode, ErrorCode> = {
  bad_request: 'bad_input',
  bad_image: 'bad_input',
  unknown_drive: 'not_found',
  busy: 'conflict',
  unknown_job: 'not_found',
  not_running: 'conflict',
  unsupported: 'not_configured',
  unknown_command: 'not_found',
  bad_ref: 'bad_input',
  internal: 'internal',
};

/** A failure talking to an agent; `agentCode` is the wire code when the agent itself refused. */
export class DeviceError extends UserError {
  constructor(
    code: ErrorCode,
    message: string,
    /** `bad_reply`: the agent answered with a shape the protocol does not allow (docs/agent.md). */
    readonly agentCode?: AgentErrorCode | 'down' | 'refused' | 'timeout' | 'bad_reply',
  ) {
    super(code, message);
    this.name = 'DeviceError';
  }

  static fromAgent(agent: string, code: AgentErrorCode, message: string): DeviceError {
    // The code was parsed against the protocol's enum; the own-property check keeps that true if a caller is not.
    const mapped = Object.hasOwn(CODES, code) ? CODES[code] : 'internal';
    return new DeviceError(mapped, mapped === 'internal' ? `agent ${agent}: ${message}` : message, code);
  }
}
