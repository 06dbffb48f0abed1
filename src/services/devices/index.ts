import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { ZmqDeviceClient } from './client.js';

export type { AgentState, AgentSummary, BurnRequest, DeviceClient, JobEvent, JobStream, RunEvent, RunRequest, RunResult, RunStatus, RunStream } from './types.js';
export type { BurnOutcome, BurnResult, DriveInfo, EjectResult, HelloInfo, ImageInfo, JobStatus, Phase, Progress } from './types.js';
export type { AgentEndpoint, ClientKeys } from './connection.js';
export { DeviceError } from './errors.js';
export { ZmqDeviceClient } from './client.js';

/** The composition root's entry: a client for the config's `agents`, or undefined when none are listed. */
export function createDeviceClient(config: Pick<Config, 'agents' | 'clientKeys'>, log: Logger): ZmqDeviceClient | undefined {
  if (!config.agents?.length || !config.clientKeys) return undefined;
  return new ZmqDeviceClient(config.agents, config.clientKeys, log.child({ service: 'devices' }));
}
