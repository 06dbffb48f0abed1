/** The roles, lowest first (docs/access.md); config, core and commands all name them from here. */
export const ROLES = ['viewer', 'writer', 'operator', 'deployer', 'admin'] as const;
export type Role = (typeof ROLES)[number];
