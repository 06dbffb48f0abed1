import { discordAdapterFactory } from './discord/factory.js';
import { slackAdapterFactory } from './slack/index.js';
import type { AdapterFactory } from './types.js';

/** Every platform adapter `opsline start` may run; each looks at its own config section. */
export const adapterFactories: readonly AdapterFactory[] = [slackAdapterFactory, discordAdapterFactory];
