// Builds dist/ with tsc when a source file is newer than the built CLI, and only then: `npm run demo`
// starts at once after the first run, and the first run says what it is doing instead of showing a
// blank screen while tsc works (about a minute on a small machine). test/global-setup.ts runs it with
// --quiet before the tests that start the built CLI.
//
//   node scripts/build-if-stale.mjs [--quiet]
//
// Exit status: 0 when dist is up to date or was built; tsc's own status when the build failed.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..');
const quiet = process.argv.includes('--quiet');

/** True when dist/src/cli.js is older than some .ts file under src/ or commands/. */
function stale() {
  const built = mtime(join(repo, 'dist', 'src', 'cli.js'));
  const newest = Math.max(0, ...['src', 'commands'].flatMap((d) => files(join(repo, d)).map(mtime)));
  return built < newest;
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function files(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

if (stale()) {
  if (!quiet) process.stderr.write('building opsline (tsc; the first run takes about a minute)…\n');
  const started = Date.now();
  const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(repo, 'tsconfig.build.json')], { stdio: quiet ? 'pipe' : 'inherit' });
  if (r.status !== 0) {
    // tsc emits even on type errors: date the CLI back so the next run builds (and reports) again.
    try {
      utimesSync(join(repo, 'dist', 'src', 'cli.js'), 0, 0);
    } catch {
      // Nothing was emitted.
    }
    if (!quiet) process.stderr.write('the build failed (see above)\n');
    process.exit(r.status ?? 1);
  }
  if (!quiet) process.stderr.write(`built in ${Math.round((Date.now() - started) / 1000)} s\n`);
}
