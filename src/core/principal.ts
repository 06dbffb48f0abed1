/** Who invoked a command, as the platform proved it (docs/access.md). */
export interface Principal {
  /** `slack:<team>:<user>`, `discord:<user>` or `console:<user>`; never a display name. */
  readonly key: string;
  readonly name: string;
  /** Discord: the guild the interaction came from and the member's role ids in it (access.discordRoles). */
  readonly guild?: string;
  readonly memberRoles?: readonly string[];
}
