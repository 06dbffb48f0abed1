import { open, readdir, realpath, lstat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { IMAGE_NAME, type ImageInfo } from '../protocol/index.js';
import { AgentError } from './errors.js';

const SECTOR = 2048;
/** The primary volume descriptor sits at sector 16 of an ISO 9660 file system. */
const PVD_OFFSET = 16 * SECTOR;

export interface ResolvedImage extends ImageInfo {
  /** Real path, inside the images directory. */
  readonly path: string;
}

/** A refused image: the message is safe to show (it names only what the caller sent). */
export class ImageError extends AgentError {
  override readonly name: string = 'ImageError';
  constructor(message: string) {
    super('bad_image', message);
  }
}

/**
 * Resolves a caller-supplied image name to a real, regular ISO 9660 file inside `dir`. Every check
 * is made here, on the agent, whatever the bot already checked: the name pattern first (so no path,
 * NUL or shell character gets further), then the real path (so a symlink cannot lead out), then the
 * file type and the ISO signature.
 */
export async function resolveImage(dir: string, name: string): Promise<ResolvedImage> {
  if (!IMAGE_NAME.test(name)) throw new ImageError(`not a valid image name: ${JSON.stringify(name.slice(0, 80))} (letters, digits, . _ - and .iso)`);
  const root = await realpath(dir);
  let real: string;
  try {
    real = await realpath(join(root, name));
  } catch {
    throw new ImageError(`no image named ${name}`);
  }
  if (!real.startsWith(root + sep)) throw new ImageError(`image ${name} is outside the images directory`);
  const st = await lstat(real);
  if (!st.isFile()) throw new ImageError(`image ${name} is not a regular file`);
  const pvd = await readPrimaryVolume(real).catch(() => undefined);
  if (!pvd) throw new ImageError(`${name} is not an ISO 9660 image`);
  if (pvd.size > st.size) throw new ImageError(`${name} is truncated: the volume says ${pvd.size} bytes, the file has ${st.size}`);
  return { name, path: real, size: pvd.size, volumeId: pvd.volumeId };
}

/** Reads the volume id and the file system's byte count from the primary volume descriptor. */
export async function readPrimaryVolume(path: string): Promise<{ volumeId: string; size: number } | undefined> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SECTOR);
    const { bytesRead } = await fh.read(buf, 0, SECTOR, PVD_OFFSET);
    if (bytesRead < 136 || buf[0] !== 1 || buf.toString('latin1', 1, 6) !== 'CD001') return undefined;
    const volumeId = buf.toString('latin1', 40, 72).trimEnd();
    // Both-endian fields: the little-endian half comes first.
    const blocks = buf.readUInt32LE(80);
    const blockSize = buf.readUInt16LE(128);
    if (blockSize === 0 || blocks === 0) return undefined;
    return { volumeId, size: blocks * blockSize };
  } finally {
    await fh.close();
  }
}

/** Every valid image in the directory, sorted by name; anything that fails a check is left out. */
export async function listImages(dir: string): Promise<ImageInfo[]> {
  const names = (await readdir(dir)).filter((n) => IMAGE_NAME.test(n)).sort();
  const out: ImageInfo[] = [];
  for (const n of names) {
    const img = await resolveImage(dir, n).catch(() => undefined);
    if (img) out.push({ name: img.name, size: img.size, volumeId: img.volumeId });
  }
  return out;
}
