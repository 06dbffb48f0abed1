import type { AgentErrorCode } from '../../protocol/index.js';
import { fill, type ErrorCode, DEVICE_ERRORS, type DeviceErrorCode, type WireErrorCode } from '../../core/error-catalogue.js';
import { UserError } from '../../core/errors.js';

// The catalogue's wire codes and the protocol's are one set (core and protocol import nothing of each
// other, so it is checked here, where both are known; test/core/error-catalogue.test.ts checks the values).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const wireCodesMatch: Same<AgentErrorCode, WireErrorCode> = true;
void wireCodesMatch;

/** A failure talking to an agent; `agentCode` is the catalogue's device code (src/core/error-causes.ts). */
export class DeviceError extends UserError {
  constructor(
    code: ErrorCode,
    message: string,
    /** `bad_reply`: the agent answered with a shape the protocol does not allow (docs/agent.md). */
    readonly agentCode?: DeviceErrorCode,
  ) {
    super(code, message);
    this.name = 'DeviceError';
  }

  /** The code the catalogue says `agentCode` becomes, and its text where it has one. */
  static of(code: DeviceErrorCode, vars: Readonly<Record<string, string>>, message?: string): DeviceError {
    const e = DEVICE_ERRORS[code];
    return new DeviceError(e.becomes, message ?? ('text' in e ? fill(e.text, vars) : code), code);
  }

  static fromAgent(agent: string, code: AgentErrorCode, message: string): DeviceError {
    // The code was parsed against the protocol's enum; the own-property check keeps that true if a caller is not.
    if (!Object.hasOwn(DEVICE_ERRORS, code)) return new DeviceError('internal', `agent ${agent}: ${message}`, code);
    const mapped = DEVICE_ERRORS[code].becomes;
    return new DeviceError(mapped, mapped === 'internal' ? fill(DEVICE_ERRORS.internal.text, { agent, message }) : message, code);
  }
}
