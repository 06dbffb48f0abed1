import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The built SDK entry (`npm run build`), as a plugin module imports `opsline`; by URL, so a temp dir needs no install. */
export const SDK_URL = pathToFileURL(join(new URL('../..', import.meta.url).pathname, 'dist/src/sdk/index.js')).href;

/**
 * Writes a plugin module at `dir/file`: `body` is its code after `import { defineCommand, reply } from 'opsline'`.
 * Returns the path written.
 */
export async function writePlugin(dir: string, file: string, body: string): Promise<string> {
  const path = join(dir, file);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `import { defineCommand, reply } from ${JSON.stringify(SDK_URL)};\n${body}\n`);
  return path;
}

/** A one-line command module: `export default defineCommand({ name, … roles, handler })`. */
export function command(name: string, extra = "roles: ['viewer']"): string {
  return `export default defineCommand({ name: ${JSON.stringify(name)}, description: 'A plugin command', ${extra}, handler: () => 'hi from ${name}' });`;
}
