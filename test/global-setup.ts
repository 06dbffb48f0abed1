import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..');

/**
 * Some tests run the built CLI as a child process (piped console, worker and agent processes that
 * get SIGKILLed). `npm test` builds first; this rebuilds when a source file is newer than the build,
 * so running vitest directly never tests stale code.
 */
export default function setup(): void {
  const built = mtime(join(repo, 'dist', 'src', 'cli.js'));
  const newest = Math.max(...['src', 'commands'].flatMap((d) => files(join(repo, d)).map(mtime)));
  if (built >= newest) return;
  try {
    execFileSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(repo, 'tsconfig.build.json')], { stdio: 'pipe' });
  } catch {
    // tsc still emits on type errors; `npm run typecheck` is where those fail the build.
    process.stderr.write('global setup: the build reported type errors; tests run against what it emitted\n');
  }
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}
