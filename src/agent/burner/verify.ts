import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface VerifyResult {
  readonly ok: boolean;
  readonly bytes: number;
  readonly imageSha256: string;
  readonly driveSha256: string;
  /** Set when the drive held fewer bytes than the image. */
  readonly short?: boolean;
}

/** The file a drive address reads from: the pseudo-drive's file or the device node. */
export function readPath(device: string): string {
  return device.startsWith('stdio:') ? device.slice('stdio:'.length) : device;
}

/**
 * Compares SHA-256 of exactly `bytes` bytes of the image and of the drive. A disc (or a pseudo-drive
 * file) holds padding after the file system, so reading "the whole drive" would never match.
 */
export async function verifyBurn(
  imagePath: string,
  device: string,
  bytes: number,
  opts: { onProgress?: (read: number) => void; signal?: AbortSignal } = {},
): Promise<VerifyResult> {
  const [image, drive] = await Promise.all([
    hashPrefix(imagePath, bytes, undefined, opts.signal),
    hashPrefix(readPath(device), bytes, opts.onProgress, opts.signal),
  ]);
  const short = drive.read < bytes;
  return { ok: !short && image.digest === drive.digest, bytes, imageSha256: image.digest, driveSha256: drive.digest, ...(short ? { short } : {}) };
}

async function hashPrefix(path: string, bytes: number, onProgress?: (read: number) => void, signal?: AbortSignal): Promise<{ digest: string; read: number }> {
  const hash = createHash('sha256');
  let read = 0;
  if (bytes > 0) {
    const stream = createReadStream(path, { start: 0, end: bytes - 1, highWaterMark: 1 << 20, ...(signal ? { signal } : {}) });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      read += chunk.length;
      onProgress?.(read);
    }
  }
  return { digest: hash.digest('hex'), read };
}
