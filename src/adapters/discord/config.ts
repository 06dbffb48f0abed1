import type { Config } from '../../config/schema.js';

/** The `discord` section, once the adapter knows there is one. */
export type DiscordConfig = NonNullable<Config['discord']>;
