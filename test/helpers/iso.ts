import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Builds a real ISO 9660 image with xorriso (`-as mkisofs`) holding `bytes` of random data, so every
 * image has a distinct SHA-256. Returns the image's path.
 */
export async function makeIso(dir: string, name: string, opts: { bytes?: number; volumeId?: string } = {}): Promise<string> {
  const src = await mkdtemp(join(tmpdir(), 'opsline-isosrc-'));
  try {
    await writeFile(join(src, 'payload.bin'), randomBytes(opts.bytes ?? 1024 * 1024));
    const out = join(dir, name);
    await run('xorriso', ['-as', 'mkisofs', '-quiet', '-V', opts.volumeId ?? 'OPSLINE_TEST', '-o', out, src]);
    return out;
  } finally {
    await rm(src, { recursive: true, force: true });
  }
}
