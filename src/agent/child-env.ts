import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The PATH of every process the agent starts. Nothing else of the agent's own environment (its keys, the
 * config's `${ENV}` secrets) is passed on: a command gets this and its config's `env`, xorriso XORRISO_ENV.
 */
export const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * xorriso's whole environment, for burns and ejects. xorriso has no translated messages (the progress parser and
 * the failure messages read its English in any locale); the C locale pins what the locale does change, the
 * character set and number formats, so every host reads the same.
 */
export const XORRISO_ENV: Readonly<Record<string, string>> = Object.freeze({ PATH: BASE_PATH, LC_ALL: 'C' });

/**
 * `name` as found on `searchPath` (the agent's own PATH), or unchanged. The program is looked up where the agent's
 * environment says, as before; only the child's environment is the minimal one (spawn would look a bare name up on
 * the child's PATH).
 */
export function onPath(name: string, searchPath: string | undefined): string {
  if (name.includes('/') || !searchPath) return name;
  for (const dir of searchPath.split(':')) {
    if (!dir.startsWith('/')) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // Not here: the next directory.
    }
  }
  return name;
}
