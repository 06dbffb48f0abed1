import { chmod, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as zmq from 'zeromq';

export interface KeysRun {
  readonly name: string;
  readonly dir: string;
  readonly force: boolean;
  readonly out?: NodeJS.WritableStream;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * `opsline keys <name>`: a fresh CURVE key pair in `<dir>/<name>.key` (both keys, mode 0600) and
 * `<dir>/<name>.pub` (the public key alone, to hand to the other side). Existing files are never
 * overwritten without --force: replacing a key silently would lock an agent or a bot out.
 */
export async function runKeys(run: KeysRun): Promise<number> {
  const out = run.out ?? process.stdout;
  if (!NAME.test(run.name)) {
    process.stderr.write(`opsline keys: the name must be letters, digits, _ or - (got ${JSON.stringify(run.name)})\n`);
    return 2;
  }
  const { publicKey, secretKey } = zmq.curveKeyPair();
  const dir = resolve(run.dir);
  const keyFile = join(dir, `${run.name}.key`);
  const pubFile = join(dir, `${run.name}.pub`);
  const flag = run.force ? 'w' : 'wx';
  // Z85 uses characters YAML treats specially (# : & * ! …), hence the quotes.
  const pair = `# opsline CURVE key pair "${run.name}" (Z85). Keep this file secret.\npublic: "${publicKey}"\nsecret: "${secretKey}"\n`;
  try {
    // writeFile's mode applies only to a new file: an existing one is made private before the secret goes in.
    if (run.force) await chmod(keyFile, 0o600).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
    await writeFile(keyFile, pair, { mode: 0o600, flag });
    await writeFile(pubFile, `${publicKey}\n`, { mode: 0o644, flag });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`opsline keys: ${e.code === 'EEXIST' ? `${e.path ?? keyFile} exists (use --force to replace it)` : e.message}\n`);
    return 1;
  }
  out.write(`wrote ${keyFile} (mode 0600) and ${pubFile}\npublic key: ${publicKey}\n`);
  return 0;
}
