/**
 * `opsline`, the package's public entry (docs/plugins.md): what a plugin may use. Everything else in
 * the package is internal; a plugin reaches the bot only through the commands it defines here.
 */
export { defineCommand, type PluginCommand, type PluginCommandInput, type PluginContext, type PluginHandler, type PluginLogger, type PluginReply, type PluginThread } from '../core/plugin.js';
export type { ArgSpec, ArgType, ArgValue, Args } from '../core/arg-spec.js';
export type { ArgsOf } from '../core/arg-types.js';
export { UserError, type ErrorCode } from '../core/errors.js';
export { reply, codeBlock, bar, type Reply, type Field, type Visibility } from '../core/reply.js';
export { ROLES, type Role } from '../words/roles.js';
export type {
  PluginAgentDrives,
  PluginDevices,
  PluginHttp,
  PluginHttpRequest,
  PluginHttpResponse,
  PluginJob,
  PluginJobRecord,
  PluginJobs,
  PluginNote,
  PluginNotes,
  PluginSecrets,
  PluginStatus,
  PluginStatusReport,
} from '../core/plugin-ports.js';
export type { StatusWindow } from '../core/ports.js';
