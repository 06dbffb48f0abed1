import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Where this build's packed opsline lives: one directory per commit and build (the mtime of the built
 * CLI and of package.json), so every test of a run, and every run of the same build, reuses one tarball.
 */
async function cacheDir(): Promise<string> {
  const head = await run('git', ['rev-parse', 'HEAD'], { cwd: ROOT }).then((r) => r.stdout.trim(), () => 'no-git');
  const built = await stat(join(ROOT, 'dist', 'src', 'cli.js'));
  const pkg = await stat(join(ROOT, 'package.json'));
  const key = createHash('sha256').update(`${head}:${built.mtimeMs}:${pkg.mtimeMs}`).digest('hex').slice(0, 16);
  const root = join(tmpdir(), 'opsline-packed');
  await sweep(root, key);
  return join(root, key);
}

/** Older builds' packs and installs (an install is ~150 MB): gone once unused for an hour, in case another run still reads one. */
async function sweep(root: string, keep: string): Promise<void> {
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (name === keep) continue;
    const at = await stat(join(root, name)).then((s) => s.mtimeMs, () => Date.now());
    if (Date.now() - at > 3_600_000) await rm(join(root, name), { recursive: true, force: true });
  }
}

/** Made once under `dir/name`: built in a scratch directory beside it and renamed into place, so a concurrent maker cannot see half of it. */
async function once(dir: string, name: string, make: (scratch: string) => Promise<string>): Promise<string> {
  const final = join(dir, name);
  if (await stat(final).then(() => true, () => false)) return final;
  const scratch = join(dir, `.${name}-${randomBytes(4).toString('hex')}`);
  await mkdir(scratch, { recursive: true });
  try {
    await rename(await make(scratch), final).catch(async (err: NodeJS.ErrnoException) => {
      // Another test process got there first: its copy is as good as ours.
      if (!['ENOTEMPTY', 'EEXIST'].includes(err.code ?? '')) throw err;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return final;
}

/** `npm pack` of this build of opsline (run `npm run build` first; `npm test` does): the tarball's path. */
export async function packedOpsline(): Promise<string> {
  const dir = await cacheDir();
  return once(dir, 'opsline.tgz', async (scratch) => {
    await run('npm', ['pack', '--silent', '--pack-destination', scratch], { cwd: ROOT });
    const [tgz] = (await readdir(scratch)).filter((f) => f.endsWith('.tgz'));
    return join(scratch, tgz!);
  });
}

/**
 * A copy of `examples/<name>` with the packed opsline installed (`npm install --prefer-offline`), made
 * once per packed tarball; its path. Callers may add files of their own but must not change what is there.
 */
export async function installedExample(name: string): Promise<string> {
  const tarball = await packedOpsline();
  return once(await cacheDir(), `example-${name}`, async (scratch) => {
    const copy = join(scratch, name);
    await cp(join(ROOT, 'examples', name), copy, { recursive: true, filter: (src) => !src.includes('node_modules') });
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tarball], { cwd: copy, maxBuffer: 16 * 1024 * 1024 });
    return copy;
  });
}
