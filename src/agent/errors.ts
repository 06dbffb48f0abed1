import type { AgentErrorCode } from '../protocol/index.js';

/** A refusal the agent sends back as an `error` message, coded (docs/errors.md#device-errors); the message is safe to show. */
export class AgentError extends Error {
  override readonly name: string = 'AgentError';
  constructor(
    readonly code: AgentErrorCode,
    message: string,
  ) {
    super(message);
  }
}
