/**
 * The device agent's wire protocol (docs/agent.md): the one module both the agent (src/agent/) and
 * the bot's device client (src/services/devices/) import, so the two ends cannot drift.
 */
export * from './requests.js';
export * from './results.js';
export * from './messages.js';
export * from './framing.js';
export * from './command-args.js';
export { SendQueue } from './send-queue.js';
export { WarnLimiter } from './warn-limiter.js';
export { isZ85Key, z85Encode } from './z85.js';
