import { z } from 'zod';

/** Who invoked a command, as the platform proved it (docs/access.md). */
export interface Principal {
  /** `slack:<team>:<user>`, `discord:<user>` or `console:<user>`; never a display name. */
  readonly key: string;
  readonly name: string;
  /** Discord: the guild the interaction came from and the member's role ids in it (access.discordRoles). */
  readonly guild?: string;
  readonly memberRoles?: readonly string[];
}

/**
 * A principal as it travels in stored job data (src/core/thread.ts): parsed, not cast, when read back.
 * Keys fit the audit trail's column (128), names the job record's (200).
 */
export const principalSchema = z.object({
  key: z.string().min(1).max(128),
  name: z.string().max(200),
  guild: z.string().max(32).optional(),
  memberRoles: z.array(z.string().max(32)).max(250).optional(),
});
