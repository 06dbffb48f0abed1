import type { AgentErrorCode } from '../../agent/protocol.js';
import { UserError, type ErrorCode } from '../../core/errors.js';

const CODES: Record<AgentErrorCode, ErrorCode> = {
  bad_request: 'bad_input',
  bad_image: 'bad_input',
  unknown_drive: 'not_found',
  busy: 'conflict',
  unknown_job: 'not_found',
  not_running: 'conflict',
  unsupported: 'not_configured',
  burn_failed: 'internal',
  unknown_command: 'not_found',
  bad_ref: 'bad_input',
  internal: 'internal',
};

/** A failure talking to an agent; `agentCode` is the wire code when the agent itself refused. */
export class DeviceError extends UserError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly agentCode?: AgentErrorCode | 'down' | 'refused' | 'timeout',
  ) {
    super(code, message);
    this.name = 'DeviceError';
  }

  static fromAgent(agent: string, code: AgentErrorCode, message: string): DeviceError {
    // `code` comes from the agent's frame: an own-property check keeps `constructor` from mapping to a function.
    const mapped = Object.hasOwn(CODES, code) ? CODES[code] : 'internal';
    return new DeviceError(mapped, mapped === 'internal' ? `agent ${agent}: ${message}` : message, code);
  }
}
