import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..');

/**
 * Some tests run the built CLI as a child process (piped console, worker and agent processes that
 * get SIGKILLed). `npm test` builds first; this rebuilds when a source file is newer than the build
 * (scripts/build-if-stale.mjs decides, as for `npm run demo`), so running vitest directly never tests
 * stale code.
 */
export default function setup(): void {
  try {
    execFileSync(process.execPath, [join(repo, 'scripts', 'build-if-stale.mjs'), '--quiet'], { stdio: 'pipe' });
  } catch {
    // tsc still emits on type errors; `npm run typecheck` is where those fail the build.
    process.stderr.write('global setup: the build reported type errors; tests run against what it emitted\n');
  }
}
