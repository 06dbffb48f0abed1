import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, link, lstat, rename, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as zmq from 'zeromq';

export interface KeysRun {
  readonly name: string;
  readonly dir: string;
  readonly force: boolean;
  /** A group (name or number) that may read the `.key`: it is written 0640 and owned by it (docs/agent.md). */
  readonly group?: string;
  readonly out?: NodeJS.WritableStream;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** One file of the pair: where it goes, what it holds, and who may read it. */
interface PairFile {
  readonly path: string;
  readonly text: string;
  readonly mode: number;
  /** The group that owns it (the service's, so that `User=opsline` can read the key root wrote). */
  readonly gid?: number;
}

/**
 * `opsline keys <name>`: a fresh CURVE key pair in `<dir>/<name>.key` (both keys, mode 0600) and
 * `<dir>/<name>.pub` (the public key alone, to hand to the other side). Existing files are never
 * overwritten without --force: replacing a key silently would lock an agent or a bot out. Both
 * files are written whole or not at all, and a symlink in their place is refused (docs/agent.md).
 */
export async function runKeys(run: KeysRun): Promise<number> {
  const out = run.out ?? process.stdout;
  const fail = (code: number, message: string): number => {
    process.stderr.write(`opsline keys: ${message}\n`);
    return code;
  };
  if (!NAME.test(run.name)) return fail(2, `the name must be letters, digits, _ or - (got ${JSON.stringify(run.name)})`);
  const gid = run.group === undefined ? undefined : await groupId(run.group);
  if (gid === null) return fail(2, `no group named ${JSON.stringify(run.group)} (create the service user first: docs/hosting.md, "Go live")`);
  const { publicKey, secretKey } = zmq.curveKeyPair();
  const dir = resolve(run.dir);
  const keyMode = gid === undefined ? 0o600 : 0o640;
  // Z85 uses characters YAML treats specially (# : & * ! …), hence the quotes.
  const files: PairFile[] = [
    { path: join(dir, `${run.name}.key`), text: `# opsline CURVE key pair "${run.name}" (Z85). Keep this file secret.\npublic: "${publicKey}"\nsecret: "${secretKey}"\n`, mode: keyMode, ...(gid === undefined ? {} : { gid }) },
    { path: join(dir, `${run.name}.pub`), text: `${publicKey}\n`, mode: 0o644 },
  ];
  // Every check before anything is written, so a refusal leaves the directory as it was.
  for (const f of files) {
    const kind = await kindOf(f.path);
    if (kind === 'symlink') return fail(1, `${f.path} is a symbolic link; refusing to write through it (remove it, or point --dir at the real directory)`);
    if (kind === 'other') return fail(1, `${f.path} exists and is not a regular file`);
    if (kind === 'file' && !run.force) return fail(1, `${f.path} exists (use --force to replace it)`);
  }
  try {
    await installPair(files, run.force);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { dest?: string };
    return fail(1, e.code === 'EEXIST' ? `${e.dest ?? e.path ?? files[0]!.path} appeared meanwhile; nothing was changed` : e.message);
  }
  const owner = gid === undefined ? 'mode 0600' : `mode 0640, group ${run.group ?? gid}`;
  out.write(`wrote ${files[0]!.path} (${owner}) and ${files[1]!.path}\npublic key: ${publicKey}\n`);
  return 0;
}

async function kindOf(path: string): Promise<'none' | 'file' | 'symlink' | 'other'> {
  try {
    const st = await lstat(path);
    return st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : 'other';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw err;
  }
}

/**
 * Writes each file to a fresh temporary name in the same directory (created exclusively, with its
 * final mode from the start), then moves both into place. rename() and link() replace or create the
 * directory entry itself and never follow a symlink there. Without --force, link() refuses a file
 * that appeared since the checks. If the second move fails, the first is undone, so no half pair.
 */
async function installPair(files: readonly PairFile[], force: boolean): Promise<void> {
  const tag = randomBytes(6).toString('hex');
  const temps = files.map((f) => `${f.path}.${tag}.tmp`);
  const backups = files.map((f) => `${f.path}.${tag}.old`);
  const placed: number[] = [];
  try {
    for (const [i, f] of files.entries()) {
      await writeFile(temps[i]!, f.text, { mode: f.gid === undefined ? f.mode : 0o600, flag: 'wx' });
      if (f.gid === undefined) continue;
      // Group first, then the group's read bit: the key is never readable by a group it is not meant for.
      await chown(temps[i]!, -1, f.gid);
      await chmod(temps[i]!, f.mode);
    }
    for (const [i, f] of files.entries()) {
      if (force) await link(f.path, backups[i]!).catch(ignoreMissing);
      if (force) await rename(temps[i]!, f.path);
      else await link(temps[i]!, f.path);
      placed.push(i);
    }
  } catch (err) {
    for (const i of placed) {
      const f = files[i]!;
      await (force ? rename(backups[i]!, f.path).catch(() => unlink(f.path)) : unlink(f.path)).catch(() => undefined);
    }
    throw err;
  } finally {
    for (const p of [...temps, ...backups]) await unlink(p).catch(() => undefined);
  }
}

/** A group's id from its number or name (`getent group`, which asks NSS as the system does); null if unknown. */
async function groupId(group: string): Promise<number | null> {
  if (/^\d{1,9}$/.test(group)) return Number(group);
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/.test(group)) return null;
  const found = await promisify(execFile)('getent', ['group', group]).then((r) => r.stdout, () => '');
  const gid = found.split(':')[2];
  return gid !== undefined && /^\d+$/.test(gid) ? Number(gid) : null;
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}
